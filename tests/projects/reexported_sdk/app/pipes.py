"""The project's one place that imports the SDK; the rest of the app imports from here."""
from customerio import CustomerIO as Track
from customerio import analytics

__all__ = ["Track", "analytics"]
