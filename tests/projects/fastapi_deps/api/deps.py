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
