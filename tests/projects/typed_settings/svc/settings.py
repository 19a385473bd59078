"""Settings declared with types (pydantic-settings style): the region is text, whatever its default."""
import enum
from functools import lru_cache
from typing import Literal, Optional, Tuple

from customerio import Regions
from pydantic_settings import BaseSettings


class Region(enum.Enum):
    US = "us"
    EU = "eu"


class CustomerIOSettings(BaseSettings):
    site_id: str = ""
    api_key: str = ""
    region: Literal["us", "eu"] = "us"
    plain_region: str = "eu"
    region_object: Regions = Regions.EU
    region_member: Region = Region.EU
    maybe_region: Optional[str] = None
    mixed: Literal["us", 1] = "us"
    either: Literal["us", "eu"] | None = "us"
    several: str | int = "us"
    empty: Tuple[()] = ()  # an annotation with no type in it


class Settings(BaseSettings):
    customer_io: CustomerIOSettings = CustomerIOSettings()
    debug: bool = False

    @classmethod
    def from_env(cls):
        return cls(debug=False)

    @staticmethod
    def legacy(cls):  # a staticmethod's first parameter is no class, whatever its name
        return cls.build()


@lru_cache
def get_settings() -> Settings:
    return Settings()


settings = Settings()
REGIONS_BY_NAME = {"us": Regions.US, "eu": Regions.EU}
from_env = Settings.from_env()
legacy = Settings.legacy(object)
