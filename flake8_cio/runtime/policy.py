"""Small, pure policies of the runtime: ids, backoff, circuit breaker, rate limit, timestamp units.

Hand-written rather than tenacity/pybreaker/pyrate-limiter: retry state must live with the spooled events (not
in a sleeping frame), the breaker must judge our own outcome classes (a 429 or a 4xx is not an outage) and gate
a loop rather than wrap a call, and a rate-limiter thread per bucket would be one more thing to break on fork.
"""
from __future__ import annotations

import itertools
import os
import random
import threading
import time
from typing import Any, Callable, Optional, Tuple

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PAIRS = [a + b for a in _CROCKFORD for b in _CROCKFORD]  # 10 bits -> 2 characters
_random = random.Random(os.urandom(16))  # not a CSPRNG: ids need uniqueness, not secrecy; urandom per call is slow
_time_part: Tuple[str, int] = ("", -1)  # (time text, its millisecond), replaced whole
_serial = itertools.count()  # atomic steps (no lock): the part of an id that differs between calls of a process
_process_part = [""]  # 50 random bits (10 characters) per process: the part that differs between processes
_prefix: Tuple[str, int] = ("", -1)  # (time and process text, its millisecond), replaced whole


def _new_process() -> None:
    _random.seed(os.urandom(16))  # a child must not repeat the parent
    global _prefix
    _process_part[0] = "".join(_CROCKFORD[_random.getrandbits(5)] for _ in range(10))
    _prefix = ("", -1)


_new_process()
os.register_at_fork(after_in_child=_new_process)


def ulid(ms: Optional[int] = None, randomness: Optional[int] = None) -> str:
    """A ULID: 48-bit millisecond time (now, or `ms`), Crockford base32 (sortable; Customer.io dedupes on it), then
    80 bits: `randomness` when given (a replay of an older journal's line gets the same id), else 50 random bits per
    process and a 30-bit serial (the monotonic ULID's way of keeping ids unique within a millisecond: ids repeat only
    if one process makes 2**30 of them in one millisecond). Cheap, as callers make one per event: the time part is
    cached per millisecond, the rest is three table lookups."""
    ms = time.time_ns() // 1_000_000 if ms is None else ms
    global _prefix, _time_part
    if randomness is None:
        prefix = _prefix
        if prefix[1] != ms:
            prefix = _prefix = (time_text(ms) + _process_part[0], ms)
        n = next(_serial) & 0x3FFFFFFF
        return prefix[0] + PAIRS[n >> 20] + PAIRS[(n >> 10) & 1023] + PAIRS[n & 1023]
    timed = _time_part  # read once: two threads may give ids at once (the journal thread's, a replay's)
    if timed[1] != ms:
        timed = _time_part = (time_text(ms), ms)
    r = randomness
    return (timed[0] + PAIRS[r >> 70] + PAIRS[(r >> 60) & 1023] + PAIRS[(r >> 50) & 1023]
            + PAIRS[(r >> 40) & 1023] + PAIRS[(r >> 30) & 1023] + PAIRS[(r >> 20) & 1023]
            + PAIRS[(r >> 10) & 1023] + PAIRS[r & 1023])


def client_part() -> str:
    """60 random bits (12 characters) for one client in one process. RuntimeClient.track() makes its event ids of
    the time, this and a 20-bit serial of the client's calls (4 characters): unique unless one client makes 2**20
    calls within a millisecond, or two clients draw the same 60 bits; cheaper per call than ulid()."""
    return "".join(_CROCKFORD[byte & 31] for byte in os.urandom(12))


_high: Tuple[int, str] = (-1, "")  # (ms >> 10, its 8 characters), replaced whole


def time_text(ms: int) -> str:
    """50 bits in 10 characters: a caller pays it once a millisecond, so the first 8 (40 bits, shifts of an int
    of two digits) are made once a 1,024 ms, the last 2 by one pair lookup (1,800 instructions, against 4,900 for
    five lookups: bench/README)."""
    global _high
    high = _high
    if high[0] != ms >> 10:
        high = _high = (ms >> 10, PAIRS[ms >> 40 & 1023] + PAIRS[ms >> 30 & 1023] + PAIRS[ms >> 20 & 1023]
                        + PAIRS[ms >> 10 & 1023])
    return high[1] + PAIRS[ms & 1023]


def backoff(attempt: int, base: float = 0.5, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    return random.uniform(0, min(cap, base * 2 ** min(attempt, 30)))


class CircuitBreaker:
    """closed -> open after `threshold` consecutive failures -> half-open after the cooldown (one probe) -> closed
    on success, open again (with a doubled cooldown, capped) on failure."""

    def __init__(self, threshold: int, cooldown: float, max_cooldown: float = 600.0,
                 on_change: Optional[Callable[[str, str], None]] = None):
        self.threshold, self.base_cooldown, self.max_cooldown = threshold, cooldown, max_cooldown
        self.cooldown = cooldown
        self.failures = 0
        self.state = "closed"
        self.opened_at = 0.0
        self.on_change = on_change

    def allow(self, now: float | None = None, cap: float | None = None) -> bool:
        """May a request go now? `cap` shortens the cooldown (close() probes at least that often)."""
        cooldown = self.cooldown if cap is None else min(cap, self.cooldown)
        if self.state == "open" and (now or time.monotonic()) - self.opened_at >= cooldown:
            self._set("half-open")
        return self.state != "open"

    def success(self) -> None:
        self.failures = 0
        self.cooldown = self.base_cooldown
        if self.state != "closed":
            self._set("closed")

    def failure(self, now: float | None = None, hold: float | None = None) -> None:
        """One failed attempt; `hold` opens the breaker at once for that long (bad credentials, Retry-After)."""
        self.failures += 1
        if self.state == "half-open":
            self.cooldown = min(self.cooldown * 2, self.max_cooldown)
        if hold is not None or self.state == "half-open" or self.failures >= self.threshold:
            if hold is not None:
                self.cooldown = hold
            self.opened_at = now or time.monotonic()
            self._set("open")

    def _set(self, state: str) -> None:
        previous, self.state = self.state, state
        if self.on_change and previous != state:
            self.on_change(previous, state)


class TokenBucket:
    """Requests per second with a burst of a tenth of a second's worth, so that no 1 s window sees more than
    1.1 x rate requests."""

    def __init__(self, rate: float):
        self.rate = rate
        self.capacity = max(1.0, rate / 10)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> float:
        """How long until a token is there (none is taken)."""
        with self.lock:
            tokens = self.tokens + (time.monotonic() - self.updated) * self.rate
            return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def delay(self) -> float:
        """Take a token, returning how long to wait before using it."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= 1
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


EPOCH_SCALES = ((10**17, "nanoseconds"), (10**14, "microseconds"), (10**11, "milliseconds"))


def epoch_unit(value: Any) -> Optional[str]:
    """The unit a number that is too big for Unix seconds (after the year 5138) probably is in, else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        for threshold, unit in EPOCH_SCALES:
            if abs(value) >= threshold:
                return unit
    return None
