"""Timestamps: arithmetic fixes are safe; the literal needs --unsafe-fixes (see timestamps_unsafe)."""
from __future__ import annotations

import time as t
from datetime import timezone, datetime
import datetime as dt

from customerio import CustomerIO

cio = CustomerIO(SITE, KEY)


def sync(user, when):
    cio.identify(user.id, created_at=int(t.time()))  # keep this comment
    cio.identify(
        user.id,
        renewed_at=round(when.timestamp()),
        seen_at=t.time_ns() // 10**9,
    )
    cio.track(user.id, "paid", timestamp=t.time_ns() // 10**9)
    cio.track(user.id, "paid", {"at": datetime.now(timezone.utc)})
    cio.track(user.id, "paid", {"at": dt.datetime.now(dt.timezone.utc)})
    cio.identify(user.id, last_login_at=1700000000123)
