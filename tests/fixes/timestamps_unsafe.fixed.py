# cio-fix: --unsafe-fixes
import time
from datetime import datetime, timezone

from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO(SITE, KEY)
cio.identify("u1", last_login_at=1700000000)
cio.track("u1", "paid", timestamp=time.time())
cio.track("u1", "paid", timestamp=time.time())
cio.track("u1", "paid", timestamp=time.time_ns() // 10**9)
analytics.track("u1", "Order Paid", timestamp=datetime.fromtimestamp(int(time.time()), timezone.utc))
analytics.identify("u1", {"created_at": 1700000000})  # a number among the traits is data: left alone


def timed(user):
    started = time.perf_counter()
    cio.track(user.id, "ran", timestamp=started)  # reported; the duration below still needs the clock: not fixed
    return time.perf_counter() - started


def now_ms():
    return int(time.time() * 1000)


def through_a_helper(user, db):
    cio.identify(user.id, last_seen_at=now_ms() // 1000)
    paid = int(now_ms() // 1000)
    cio.track(user.id, "paid", timestamp=paid)
    refunded = now_ms()
    db.save(user.id, refunded)  # the helper's other readers keep milliseconds
    cio.track(user.id, "refunded", {"at": refunded // 1000})


def imported_row(row):
    cio.identify(row["id"], signed_up_at=int(row["signed_up"]))  # seconds from the CSV, scaled
