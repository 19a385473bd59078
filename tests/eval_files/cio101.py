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


# Helpers of this module that read a finer clock: a call of one is the clock (other modules' helpers: the project
# model, see tests/projects/ms_clock).
def now_ms():
    return int(time.time() * 1000)


def now_us():
    reading = time.time_ns() // 1000
    return reading


def to_ms(moment):
    return round(moment.timestamp() * 1000)


def now_seconds():
    return int(time.time())


def stamp(precise):
    if precise:
        return int(time.time() * 1000)
    return int(time.time())


async def now_ms_async():
    return int(time.time() * 1000)


class Orders:
    def _now_ms(self):
        return time.time_ns() // 10**6

    def placed(self, user):
        cio.track(user.id, "order_placed", {"placed_at": self._now_ms()})  # expect: CIO101 "(`self._now_ms()` returns milliseconds, line 86)"


class Stopwatch:
    def now_ms(self):
        return time.perf_counter() * 1000


def through_helpers(user, order):
    cio.identify(user.id, last_seen_at=now_ms())  # expect: CIO101@40 "epoch timestamp sent to Customer.io as `last_seen_at` (`now_ms()` returns milliseconds, line 58)"
    cio.track(user.id, "order_paid", {"paid_at": to_ms(order.paid_at)})  # expect: CIO101 "send seconds (`to_ms() // 1000`)"
    cio.track(user.id, "order_paid", timestamp=int(now_us()))  # expect: CIO101 "microsecond epoch"
    seen = now_ms()
    cio.identify(user.id, seen_at=seen)  # expect: CIO101 "(`seen` is computed at line 102)"


def helper_near_misses(user, order, timer):
    cio.identify(user.id, last_seen_at=now_seconds())
    cio.identify(user.id, last_seen_at=stamp(True))  # milliseconds on one path, seconds on the other
    cio.identify(user.id, last_seen_at=now_ms() // 1000)
    cio.identify(user.id, last_seen_at=timer.now_ms())  # a method of an object the engine does not know
    cio.identify(user.id, lap_ms=Stopwatch().now_ms())  # not an epoch: perf_counter
    cio.identify(now_ms(), plan="pro")  # the person's id is not a time value
    cio.track(user.id, "order_paid", {"total": order.total}, id=now_ms())  # nor is the event's dedupe id
    cio.identify(user.id, last_seen_at=now_ms_async())  # an async def's call gives a coroutine, not a number
    statsd.timing("checkout", now_ms())  # another library
    print("placed at", now_ms())


# A helper that returns another helper's reading is that clock too; one that changes it is not.
def event_time():
    return now_ms()


def event_time_seconds():
    return now_ms() // 1000


def loops_forever():
    return loops_back()


def loops_back():
    return loops_forever()


def through_a_chain(user):
    cio.identify(user.id, last_seen_at=event_time())  # expect: CIO101 "(`event_time()` returns milliseconds, line 120)"
    cio.identify(user.id, last_seen_at=event_time_seconds())
    cio.identify(user.id, last_seen_at=loops_forever())


# A value of unknown origin scaled to milliseconds where only a point in time goes.
def scaled_values(row, invoice, started, cache):
    cio.backfill(row["id"], "order_completed", int(float(row["completed_at"]) * 1000))  # expect: CIO101 "(a value multiplied by 1,000)"
    cio.identify(row["id"], signed_up_at=int(row["signed_up"]) * 1000)  # expect: CIO101
    cio.track(row["id"], "invoice_due", {"next_attempt_at": invoice.next_payment_attempt * 1e3})  # expect: CIO101
    cio.identify(row["id"], plan_cents=invoice.amount * 100, total=invoice.amount * 1000)  # not points in time
    cio.identify(row["id"], wait_ms=(time.time() - started) * 1000)  # a duration
    cio.track(row["id"], "ran", {"finished_at": (time.time() - started) * 1000})  # a difference is a duration
    cio.identify(row["id"], cache_ttl=cache.ttl * 1000)  # a key that does not say a point in time


# A value whose own name says its unit, where only a point in time goes.
def named_units(invoice, sent_at_ns, started_ms, row):
    cio.track(invoice.customer_id, "paid", timestamp=invoice.paid_at_ms)  # expect: CIO101 "(`invoice.paid_at_ms` says milliseconds)"
    cio.identify(invoice.customer_id, delivered_at=sent_at_ns // 1000)  # expect: CIO101 "microsecond epoch timestamp"
    paid_at_millis = row["paid"]
    cio.track(invoice.customer_id, "paid", timestamp=paid_at_millis)  # expect: CIO101
    cio.track(invoice.customer_id, "paid", timestamp=invoice.paid_at_ms // 1000)  # seconds now
    cio.identify(invoice.customer_id, duration_ms=started_ms, load_time_ms=started_ms)  # durations, not points in time
    cio.track(invoice.customer_id, "paid", timestamp=invoice.paid_at_sms)  # a word ending in "sms" is no unit
    cio.track(invoice.customer_id, "paid", {"elapsed_ms": started_ms})  # data that is not a point in time
    cio.track(invoice.customer_id, "refunded", {"refunded_at": invoice.refunded_at_usec})  # expect: CIO101 "microsecond"
    checked_ms = int(time.time())  # the clock says seconds, whatever the name
    cio.identify(invoice.customer_id, checked_at=checked_ms)


def named_but_converted(invoice, row):
    converted_ms = invoice.raw_ms / 1000  # the value decides, not its name
    cio.track(invoice.customer_id, "paid", timestamp=converted_ms)
    cio.identify(invoice.customer_id, launched_at=row.launch_date_us)  # "us" is a country here


def named_microseconds(user, run):
    cio.track(user.id, "run_finished", timestamp=run.finished_at_us)  # expect: CIO101
    cio.identify(user.id, launch_at=run.launch_date_us)


def named_by_key(msg):
    cio.track(msg["uid"], "paid", timestamp=msg["paid_at_ms"])  # expect: CIO101 "(`msg['paid_at_ms']` says milliseconds)"
    cio.track(msg["uid"], "paid", timestamp=msg["paid_at_ms"] // 1000)  # seconds now
    cio.track(msg["uid"], "paid", timestamp=msg["paid_at"])  # nothing says its unit
    cio.identify(msg["uid"], plan_ms=msg["plan_ms"])  # a duration under a key that is no time


def advice(user, order):
    cio.identify(user.id, renewed_at=int(order.renewed.timestamp() * 1000))  # expect: CIO101 "(`int(order.renewed.timestamp())`)"
    cio.track(user.id, "sms", timestamp=order.sent_at_ns // 1000)  # expect: CIO101 "says nanoseconds, divided down to microseconds"
