import os

from customerio import CustomerIO, Regions

from portal.config import Config, EuConfig, RegionSetting


class LocalConfig:
    CIO_REGION = os.getenv("CIO_REGION", "us")
    CIO_TIMEOUT = os.getenv("CIO_TIMEOUT", "10")


class ResolvedConfig:
    CIO_REGION = os.getenv("CIO_REGION", "us")

    def __init__(self):
        self.CIO_REGION = Regions.US if self.CIO_REGION == "us" else Regions.EU


def create_client(config=Config):
    return CustomerIO(config.CIO_SITE_ID, config.CIO_API_KEY, region=config.CIO_REGION)  # expect: CIO405


def create_staging_client(config=Config):
    return CustomerIO(config.CIO_SITE_ID, config.CIO_STAGING_KEY, region=Regions.EU)  # expect: CIO402


def create_eu_client(config=EuConfig):
    return CustomerIO(Config.CIO_SITE_ID, Config.CIO_API_KEY, region=config.CIO_REGION)


def create_default_client():
    return CustomerIO(Config.CIO_SITE_ID, Config.CIO_API_KEY, region=Config.CIO_REGION)  # expect: CIO405


def create_local_client(config=LocalConfig):
    return CustomerIO(Config.CIO_SITE_ID, Config.CIO_API_KEY, region=config.CIO_REGION)  # expect: CIO405


def create_loaded_client(config=Config):
    config = load_config()
    return CustomerIO(config.CIO_SITE_ID, config.CIO_API_KEY, region=config.CIO_REGION)


def create_enum_client():
    CustomerIO(Config.CIO_SITE_ID, Config.CIO_API_KEY, region=RegionSetting.REGION)
    return CustomerIO(Config.CIO_SITE_ID, Config.CIO_API_KEY, region=RegionSetting.REGION.value)  # expect: CIO405


def create_resolved_client():
    config = ResolvedConfig()
    return CustomerIO(Config.CIO_SITE_ID, Config.CIO_API_KEY, region=config.CIO_REGION)


def load_config():
    return EuConfig()
