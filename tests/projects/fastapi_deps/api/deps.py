import os
from functools import lru_cache
from typing import Annotated

from customerio import CustomerIO
from fastapi import Depends


def get_cio() -> CustomerIO:
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


@lru_cache
def get_shared_cio() -> CustomerIO:
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


CioDep = Annotated[CustomerIO, Depends(get_shared_cio)]


def get_tracker():
    """Our runtime's get_client() is cached per credentials: wrapping it adds no client."""
    from flake8_cio.runtime import get_client

    return get_client()


TrackerDep = Annotated[object, Depends(get_tracker)]
