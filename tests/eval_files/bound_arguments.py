# Arguments bound to an SDK method reference are that call's arguments for every argument rule.
import asyncio
import functools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from asgiref.sync import sync_to_async
from customerio import CustomerIO

tracker = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
segment = __import__("analytics")  # near miss: another library's client
executor = ThreadPoolExecutor(4)


def order_cancelled(order, reason):
    send = functools.partial(tracker.track, order.customer_id, f"order_{reason}")  # expect: CIO201
    send(data={"id": order.id})
    partial(tracker.track, order.customer_id, "order_cancelled")(data={"reason": reason})
    partial(segment.track, order.customer_email, f"order_{reason}")()
    partial(print, order.customer_email, f"order_{reason}")()


def order_refunded(order):
    executor.submit(tracker.identify, order.customer_email, refunded=True)  # expect: CIO301
    executor.submit(tracker.identify, order.customer_id, refunded_at=int(time.time() * 1000))  # expect: CIO101
    executor.submit(tracker.track, order.customer_id, "OrderRefunded")  # expect: CIO202
    executor.submit(segment.identify, order.customer_email)


async def order_paid(order):
    await asyncio.to_thread(tracker.identify, order.customer_email, paid=True)  # expect: CIO301
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, tracker.track, order.customer_id, "Order Paid")  # expect: CIO202
    await loop.run_in_executor(None, tracker.track, order.customer_id, "order_paid")
    await sync_to_async(tracker.identify)(order.customer_email)  # expect: CIO301
    await asyncio.to_thread(segment.identify, order.customer_email)


def order_shipped(order, extra_args):
    notify = partial(tracker.track, order.customer_id, "order_shipped")
    notify(data={"carrier": order.carrier}, timestamp=int(time.time() * 1000))  # expect: CIO101
    notify(data={"carrier": order.carrier}, timestamp=int(time.time()))
    later = partial(segment.track, order.customer_id, "order_shipped")
    later(timestamp=int(time.time() * 1000))


def order_delayed(order, extra_args):
    threading.Thread(target=tracker.track, args=(order.customer_id, "OrderDelayed")).start()  # expect: CIO202
    threading.Thread(target=tracker.identify, kwargs={"id": order.customer_email}).start()  # expect: CIO301
    threading.Thread(target=tracker.track, args=extra_args).start()
    threading.Thread(target=segment.track, args=(order.customer_id, "OrderDelayed")).start()
    threading.Thread(target=print, args=(order.customer_id, "OrderDelayed")).start()


def order_viewed(order):
    send = getattr(tracker, "track")
    send(order.customer_id, "OrderViewed")  # expect: CIO202
    getattr(tracker, "identify")(order.customer_email)  # expect: CIO301
    alias = tracker.track
    alias(order.customer_id, "Order Viewed")  # expect: CIO202
    getattr(segment, "track")(order.customer_id, "OrderViewed")
    getattr(tracker, "flush")(order.customer_id, "OrderViewed")
    lookup = getattr(order, "track")
    lookup(order.customer_id, "OrderViewed")
