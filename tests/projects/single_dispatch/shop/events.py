"""Order events handled by type through functools.singledispatch: one implementation tracks, the others do not."""
import functools
import logging
import os
from functools import singledispatch

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
log = logging.getLogger(__name__)


class Paid:
    def __init__(self, order_id):
        self.order_id = order_id


class Viewed:
    def __init__(self, order_id):
        self.order_id = order_id


@singledispatch
def publish(event, customer_id):
    raise TypeError(type(event))


@publish.register
def _(event: Paid, customer_id):
    cio.track(customer_id, "order_paid", {"order_id": event.order_id})


@publish.register(Viewed)
def _viewed(event, customer_id):
    log.info("viewed %s", event.order_id)


@functools.singledispatch
def audit(event, customer_id):
    log.info("event %s", event)


@audit.register
def _(event: Paid, customer_id):
    log.info("paid %s by %s", event.order_id, customer_id)


class Outbox:
    @functools.singledispatchmethod
    def send(self, event, customer_id):
        raise TypeError(type(event))

    @send.register
    def _(self, event: Paid, customer_id):
        cio.track(customer_id, "order_paid", {"order_id": event.order_id})


def register(fn):
    return fn


def publish_all(events, customer_id):
    for event in events:
        publish(event, customer_id)  # expect: CIO601


@singledispatch
def announce(event, customer_id):
    log.info("event %s", event)


@announce.register
async def _(event: Paid, customer_id):
    cio.track(customer_id, "order_paid", {"order_id": event.order_id})  # expect: CIO502


@singledispatch
def settle(event, customer_id):
    log.info("event %s", event)


def _refund(event, customer_id):
    cio.track(customer_id, "order_refunded", {"order_id": event.order_id})


class Refund:
    order_id = "r1"


settle.register(Refund, _refund)


@singledispatch
def record(event, customer_id):
    log.info("event %s", event)


@record.register
def _(event: Viewed, new_email):
    customer_id = event.order_id
    cio.identify(customer_id, {"email": new_email})
