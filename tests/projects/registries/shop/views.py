from flask import Flask, request

from shop import handlers  # noqa: F401  (registers the handlers)
from shop.local import on_signup_kind, on_signup_looked_up
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
