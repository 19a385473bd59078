import os

from flask import Flask

from lib.customerio import CustomerIO, default
from lib.customerio.events import order_refunded
from shop.models import Order

app = Flask(__name__)
shared = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # built once: silent


@app.post("/orders/<order_id>/paid")
def paid(order_id):
    default().track(order_id, "order_paid")  # expect: CIO401, CIO501
    return "ok"


@app.post("/orders/<order_id>/refund")
def refund(order_id):
    order_refunded(Order.get(order_id))  # expect: CIO401, CIO501 "calls lib.customerio.events.order_refunded"
    return "ok"


def nightly():
    shared.track("42", "nightly_report")
