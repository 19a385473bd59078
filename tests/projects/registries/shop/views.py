from flask import Flask, request

from shop import handlers  # noqa: F401  (registers the handlers)
from shop.local import on_signup_kind, on_signup_looked_up
from shop.orders import service
from shop.registry import AUDITORS, HANDLERS

app = Flask(__name__)


@app.post("/orders/<kind>")
def order_event(kind):
    order = request.get_json()
    HANDLERS[kind](order)  # expect: CIO501
    return "ok"


@app.post("/audit/<name>")
def audit(name):
    AUDITORS[name](request.get_json())  # near miss: the auditors only log
    return "ok"


@app.post("/signup/<kind>")
def signup(kind):
    on_signup_kind(kind, request.get_json())  # expect: CIO501
    return "ok"


@app.post("/signup-looked-up/<kind>")
def signup_looked_up(kind):
    on_signup_looked_up(kind, request.get_json())  # expect: CIO501
    return "ok"


@app.post("/orders/<status>/status")
def order_status(status):
    getattr(service, f"order_{status}")(request.get_json())  # expect: CIO501 "`getattr(service, f'order_{status}')()` in request handler `order_status` waits on Customer.io: it may run shop.orders.OrderService.order_"
    getattr(service, f"note_{status}")(request.get_json())  # near miss: the note_* methods only log
    return "ok"
