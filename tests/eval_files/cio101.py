# CIO101: finer-than-seconds epoch timestamps given to Customer.io.
import time
import time as t
from datetime import datetime, timezone
from time import time as now

import statsd
from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO("site", "key")


def positives(user, order, dt):
    cio.identify(user.id, created_at=int(time.time() * 1000))  # expect: CIO101
    cio.identify(user.id, created_at=int(1e3 * t.time()))  # expect: CIO101
    cio.identify(user.id, seen_at=round(now() * 1_000))  # expect: CIO101
    cio.track(user.id, "order_placed", {"placed_at": dt.timestamp() * 1000})  # expect: CIO101
    cio.track(user.id, "order_placed", data={"at": time.time_ns() // 10**6})  # expect: CIO101
    cio.track(user.id, "order_placed", timestamp=time.time_ns())  # expect: CIO101
    cio.track(user.id, "order_placed", timestamp=1700000000000)  # expect: CIO101
    cio.backfill(user.id, "order_placed", time.time() * 1e6)  # expect: CIO101
    cio.identify(user.id, **{"last_login_at": 1700000000123})  # expect: CIO101
    cio.add_device(user.id, "tok", "ios", last_used=datetime.now(timezone.utc).timestamp() * 1000)  # expect: CIO101
    analytics.track(user.id, "Order Completed", {"shipped_at": time.time() * 1000})  # expect: CIO101


def through_a_local(user):
    ts = int(time.time() * 1000)
    cio.track(user.id, "logged_in", timestamp=ts)  # expect: CIO101@47 "`ts` is computed at line 29"
    payload = {"nested": {"renewed_at": time.time_ns() // 1000}}  # expect: CIO101
    cio.identify(user.id, **payload)


def near_misses(user, start, dt):
    cio.identify(user.id, created_at=int(time.time()))
    cio.track(user.id, "order_placed", timestamp=time.time_ns() // 10**9)
    cio.identify(user.id, elapsed_ms=int((time.time() - start) * 1000))
    cio.identify(user.id, duration_ms=(dt.timestamp() - start) * 1000)
    cio.identify(user.id, order_total=1700000000000)  # a big number, but the key does not say time
    cio.identify(user.id, created_at=1700000000)
    statsd.timing("signup", time.time() * 1000)  # a metrics library, not Customer.io
    started = time.time() * 1000  # never reaches a Customer.io call
    print(started)
    stripe.Customer.create(created_at=int(time.time() * 1000))
    segment.track(user.id, "x", {"at": time.time() * 1000})


def batched(orders):
    cio.batch([{"type": "person", "identifiers": {"id": o.user_id}, "action": "event", "name": "order_placed",
                "timestamp": int(o.placed_at.timestamp() * 1000)} for o in orders])  # expect: CIO101
    cio.batch([{"type": "person", "identifiers": {"id": o.user_id}, "action": "event", "name": "order_placed",
                "timestamp": int(o.placed_at.timestamp())} for o in orders])
