# options: catalog=tests/catalog_app/cio-catalog.toml
# CIO701-705: events, data and attributes checked against the team's event catalog.
import os

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def checkout(user, order):
    cio.track(user.id, "order_completed", {"order_id": order.id, "total": order.total})
    cio.track(user.id, "order_complete", {"order_id": order.id})  # expect: CIO701 "order_completed"
    cio.track(user.id, "order_completed", {"order_id": order.id, "currency": "EUR"})  # expect: CIO702
    cio.track(user.id, "order_completed", {"total": order.total})  # expect: CIO703
    cio.track(user.id, "order_completed", {"order_id": 42})  # expect: CIO705
    cio.track(user.id, "signed_up")
    cio.track(user.id, "order_completed", data=order.payload)


def profile(user):
    cio.identify(user.id, email=user.email, plan="pro", seats=3)
    cio.identify(user.id, favourite_colour="blue")  # expect: CIO704
    cio.identify(user.id, seats="three")  # expect: CIO705
    cio.identify(user.id, **user.attributes)


def later(user, order, pool):
    from functools import partial

    send = partial(cio.track, user.id, "order_completed")  # its data comes when it is called
    pool.submit(send, {"order_id": order.id, "total": order.total})
    partial(cio.track, user.id, "order_completed", {"total": order.total})  # expect: CIO703
    send({"total": order.total})  # expect: CIO703
