"""Re-exports, as real service packages do."""
from .analytics import AnalyticsService, track_signup

__all__ = ["AnalyticsService", "track_signup"]
