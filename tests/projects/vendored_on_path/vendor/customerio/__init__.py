"""A vendored copy of the 3.x SDK (a stand-in written for this fixture, same shape) whose folder the app puts on
sys.path, so it is imported as `customerio`; the project added a factory that builds a client on every call."""
import os

from .client_base import CustomerIOException
from .regions import Regions
from .track import CustomerIO


def default_client():
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"], region=Regions.US)


__all__ = ["CustomerIO", "CustomerIOException", "Regions", "default_client"]
