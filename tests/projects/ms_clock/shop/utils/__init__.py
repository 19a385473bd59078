"""Re-exports, as real utility packages do."""
from .clock import now_ms, to_ms

__all__ = ["now_ms", "to_ms"]
