import logging
import os

import requests
import statsd
from customerio import CustomerIO
from fastclock import now_ms as fast_now_ms

from shop import utils
from shop.utils import clock, now_ms, to_ms
from shop.utils.clock import Clock, Stopwatch, event_time, now_seconds, utc_ms

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
log = logging.getLogger(__name__)
wall = Clock()


def track_order(user, order):
    cio.track(user.id, "order_placed", {"placed_at": now_ms()})  # expect: CIO101@54 "(`now_ms()` returns milliseconds, shop/utils/clock.py:6)"
    cio.track(user.id, "order_shipped", {"shipped_at": utils.now_ms()})  # expect: CIO101 "`utils.now_ms()` returns milliseconds, shop/utils/clock.py:6"
    cio.track(user.id, "order_paid", {"paid_at": to_ms(order.paid_at)})  # expect: CIO101 "shop/utils/clock.py:15"
    cio.track(user.id, "order_viewed", timestamp=clock.now_us())  # expect: CIO101 "microsecond epoch timestamp sent to Customer.io as `timestamp` (`clock.now_us()` returns microseconds"
    cio.identify(user.id, last_order_at=int(utc_ms()))  # expect: CIO101 "send seconds (`utc_ms() // 1000`)"
    cio.identify(user.id, last_seen_at=wall.now_ms())  # expect: CIO101 "shop/utils/clock.py:45"


def track_refund(user, refund):
    refunded = now_ms()
    log.info("refund %s at %d", refund.id, refunded)
    cio.track(user.id, "order_refunded", {"refunded_at": refunded})  # expect: CIO101 "(`refunded` is computed at line 28)"


def near_misses(user, order, timer):
    cio.identify(user.id, last_seen_at=now_seconds())
    cio.identify(user.id, last_seen_at=event_time(precise=True))  # one path gives milliseconds, another seconds
    cio.identify(user.id, last_seen_at=now_ms() // 1000)
    cio.identify(user.id, last_seen_at=timer.now_ms())  # some object's method: not known to be a clock
    cio.identify(user.id, lap_ms=Stopwatch().now_ms())  # a duration, not an epoch
    cio.identify(user.id, last_seen_at=fast_now_ms())  # a third-party package: only the project is followed
    cio.track(user.id, "order_placed", {"total": order.total}, id=now_ms())  # the dedupe id is not a time value
    log.info("placed at %d", now_ms())
    statsd.gauge("orders.placed_at", now_ms())
    requests.post("https://erp.example.com/orders", json={"placed_at": now_ms()}, timeout=5)


def through_a_chain(user):
    from shop.services import stamps

    cio.identify(user.id, last_seen_at=stamps.stamp())  # expect: CIO101 "(`stamps.stamp()` returns milliseconds, shop/services/stamps.py:6)"
    cio.identify(user.id, last_login_at=stamps.record_stamp())  # expect: CIO101 "shop/services/stamps.py:10"
    cio.identify(user.id, last_seen_at=stamps.stamp_seconds())
    cio.identify(user.id, last_seen_at=stamps.stamp_in_seconds())
