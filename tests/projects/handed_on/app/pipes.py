"""The project's one import of the SDK; the rest of the app takes its names from here."""
from customerio import CustomerIO as Track

__all__ = ["Track"]
