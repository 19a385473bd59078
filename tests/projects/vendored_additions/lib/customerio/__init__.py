"""A vendored copy of the 3.x SDK (a stand-in written for this fixture, same shape), to which the project added a
factory: this module is the project's code, the SDK's modules beside it are not."""
import os

from .client_base import CustomerIOException
from .regions import Regions
from .track import CustomerIO


def default():
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"], region=Regions.US)


__all__ = ["CustomerIO", "CustomerIOException", "Regions", "default"]
