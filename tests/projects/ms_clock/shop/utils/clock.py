"""The shop's clocks: some read milliseconds (for the database and logs), some seconds."""
import time
from datetime import datetime, timezone


def now_ms():
    return int(time.time() * 1000)


def now_us():
    now = time.time_ns() // 1000
    return now


def to_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def utc_ms():
    return datetime.now(timezone.utc).timestamp() * 1000


def now_seconds():
    return int(time.time())


def event_time(precise=False):
    """Milliseconds when asked, else seconds: no one unit."""
    if precise:
        return int(time.time() * 1000)
    return int(time.time())


class Stopwatch:
    """Times work: its readings are durations in milliseconds, not dates."""

    def __init__(self):
        self.started = time.monotonic()

    def now_ms(self):
        return (time.monotonic() - self.started) * 1000


class Clock:
    def now_ms(self):
        return time.time_ns() // 1_000_000
