"""A table a decorator fills, over a literal placeholder entry."""
import os

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def noop(order_id):
    return order_id


def refund(order_id):
    cio.track(order_id, "order_refunded")


ROUTES = {"paid": noop, f"refunded": refund}


def handles(kind):
    def add(fn):
        ROUTES[kind] = fn
        return fn
    return add


@handles("paid")
def on_paid(order_id):
    cio.track(order_id, "order_paid")


@handles("viewed")
def on_viewed(order_id):
    return order_id


SHIPPED = "order.shipped"


@handles(SHIPPED)
def on_shipped(order_id):
    cio.track(order_id, "order_shipped")


@handles(kind="order.held")
def on_held(order_id):
    return order_id


class Repository:
    def __init__(self, name):
        self.name = name


REPOSITORIES = {"orders": Repository("orders")}


class OrderService:
    def __init__(self, repository):
        self.repository = repository

    def pay(self, order_id):
        cio.track(order_id, "order_paid")
