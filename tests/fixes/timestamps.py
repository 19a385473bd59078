"""Timestamps: arithmetic fixes are safe; the literal needs --unsafe-fixes (see timestamps_unsafe). A value that
something else reads too is converted at the call, not where it is made."""
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
    cio.identify(
        user.id,
        signed_up_at=int(
            t.time()  # comments in what the fix drops are kept
            * 1000
        ),
    )


def only_reader(user):
    started_ms = int(t.time() * 1000)
    cio.identify(user.id, started_at=started_ms)


def shared_value(user, db):
    now_ms = int(t.time() * 1000)
    db.save(user.id, now_ms)  # the millisecond column keeps milliseconds
    cio.identify(user.id, updated_at=now_ms)
    seen = datetime.now()
    if seen > user.last_seen:  # naive comparison keeps working
        cio.track(user.id, "seen", timestamp=seen)


def now_ms():
    return int(t.time() * 1000)


def through_a_helper(user):
    cio.identify(user.id, last_seen_at=now_ms())  # dividing at the call is unsafe: left to --unsafe-fixes
