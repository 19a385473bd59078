"""A vendored copy of the 2.x SDK (a stand-in written for this fixture, same shape)."""
from .__version__ import VERSION
from .track import CustomerIO

__all__ = ["CustomerIO", "VERSION"]
