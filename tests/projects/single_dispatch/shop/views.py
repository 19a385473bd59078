"""Request handlers calling the dispatchers of another module."""
from flask import Flask, request

from shop.events import Outbox, Paid, Refund, Viewed, announce, audit, publish, record, settle

app = Flask(__name__)


@app.post("/orders/<order_id>/paid")
def paid(order_id):
    publish(Paid(order_id), request.json["customer_id"])  # expect: CIO501
    return "ok"


@app.post("/orders/<order_id>/audit")
def audited(order_id):
    audit(Paid(order_id), request.json["customer_id"])  # near miss: no implementation of audit reaches Customer.io
    return "ok"


@app.post("/outbox/<order_id>")
async def outbox(order_id):
    Outbox().send(Paid(order_id), "c1")  # expect: CIO502
    return "ok"


@app.post("/orders/<order_id>/announce")
def announced(order_id):
    announce(Paid(order_id), "c1")  # near miss: the implementation for Paid is a coroutine, only created here
    return "ok"


@app.post("/orders/<order_id>/refund")
def refunded(order_id):
    settle(Refund(), "c1")  # expect: CIO501


def record_view(user):
    record(Viewed(user.id), user.email)  # near miss: the implementation sends the email as an attribute
