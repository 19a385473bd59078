# cio-fix: --unsafe-fixes
import time
from time import monotonic

from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO(SITE, KEY)
cio.identify("u1", last_login_at=1700000000123)
cio.track("u1", "paid", timestamp=time.monotonic())
cio.track("u1", "paid", timestamp=monotonic())
cio.track("u1", "paid", timestamp=time.monotonic_ns() // 10**9)
analytics.track("u1", "Order Paid", timestamp=int(time.time()))
analytics.identify("u1", {"created_at": 1700000000})  # a number among the traits is data: left alone


def timed(user):
    started = time.perf_counter()
    cio.track(user.id, "ran", timestamp=started)  # reported; the duration below still needs the clock: not fixed
    return time.perf_counter() - started


def now_ms():
    return int(time.time() * 1000)


def through_a_helper(user, db):
    cio.identify(user.id, last_seen_at=now_ms())
    paid = int(now_ms())
    cio.track(user.id, "paid", timestamp=paid)
    refunded = now_ms()
    db.save(user.id, refunded)  # the helper's other readers keep milliseconds
    cio.track(user.id, "refunded", {"at": refunded})


def imported_row(row):
    cio.identify(row["id"], signed_up_at=int(row["signed_up"]) * 1000)  # seconds from the CSV, scaled
