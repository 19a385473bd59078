import os
from enum import Enum

from customerio import Regions


class Config:
    CIO_SITE_ID = os.environ.get("CIO_SITE_ID", "")
    CIO_API_KEY = os.environ.get("CIO_API_KEY", "")
    CIO_REGION = os.environ.get("CIO_REGION", "eu")
    CIO_STAGING_KEY = os.environ.get("CIO_STAGING_KEY", "9f2c4e7a1b6d3f80c5e1")


class EuConfig:
    CIO_REGION = Regions.EU


class RegionSetting(Enum):
    """A plain Enum: its member is no string, its ``.value`` is."""

    REGION = os.environ.get("CIO_REGION", "eu")
