"""The package imports its own settings submodule, as a Pyramid app factory does: settings stays the module."""
from app import settings  # noqa: F401
