# Calls the engine follows through dispatch tables, getattr with a name family, and properties.
import os

from customerio import CustomerIO
from flask import Flask

app = Flask(__name__)
crm = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def order_paid(order):
    crm.track(order.customer_id, "order_paid")


def order_shipped(order):
    crm.track(order.customer_id, "order_shipped")


def order_logged(order):
    print(order)


ORDER_EVENT_HANDLERS = {"paid": order_paid, "shipped": order_shipped}
LOG_HANDLERS = {"paid": order_logged}


class OrderService:
    def order_cancelled(self, order):
        crm.track(order.customer_id, "order_cancelled")

    def audit_cancelled(self, order):
        print(order)


class Notifier:
    @property
    def tracker(self):
        return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])

    @property
    def log(self):
        return print

    def welcome(self, user):
        self.tracker.identify(user.email)  # expect: CIO301
        self.log.identify(user.email)


service = OrderService()


@app.post("/orders/<kind>")
def order_event(kind, order):
    ORDER_EVENT_HANDLERS[kind](order)  # expect: CIO501 "`ORDER_EVENT_HANDLERS[kind]()` in request handler `order_event` waits on Customer.io: it may run"
    LOG_HANDLERS[kind](order)
    getattr(service, f"order_{kind}")(order)  # expect: CIO501 "`getattr(service, f'order_{kind}')()` in request handler `order_event` waits on Customer.io: it may run `order_cancelled()`"
    getattr(service, f"audit_{kind}")(order)
    return "ok"


SDK_SENDERS = {"event": crm.track, "page": crm.pageview}
LOG_SENDERS = {"event": print, "page": print}


def route_anywhere(channel, user):
    """Outside a request: only the arguments are checked, as those of any method the table holds."""
    SDK_SENDERS[channel](user.email, "order_viewed")  # expect: CIO301
    SDK_SENDERS[channel](user.id, "order_viewed")
    LOG_SENDERS[channel](user.email, "order_viewed")  # not Customer.io
