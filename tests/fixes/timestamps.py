"""Timestamps: arithmetic fixes are safe; the literal needs --unsafe-fixes (see timestamps_unsafe)."""
from __future__ import annotations

import time as t
from datetime import datetime
import datetime as dt

from customerio import CustomerIO

cio = CustomerIO(SITE, KEY)


def sync(user, when):
    cio.identify(user.id, created_at=int(t.time() * 1000))  # keep this comment
    cio.identify(
        user.id,
        renewed_at=round(1000 * when.timestamp()),
        seen_at=t.time_ns() // 10**6,
    )
    cio.track(user.id, "paid", timestamp=t.time_ns())
    cio.track(user.id, "paid", {"at": datetime.now()})
    cio.track(user.id, "paid", {"at": dt.datetime.now()})
    cio.identify(user.id, last_login_at=1700000000123)
