import os
from functools import lru_cache

import analytics  # Segment's library
from customerio import CustomerIO


class RideTracker(CustomerIO):
    """The SDK's client with the ride helpers."""


@lru_cache(maxsize=None)
def tracking() -> RideTracker:
    return RideTracker(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def segment():
    return analytics
