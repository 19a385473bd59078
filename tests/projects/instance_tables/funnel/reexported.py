"""Tables through a package that re-exports them, one under another name."""
from flask import Flask, request

from funnel.registry import REPOSITORIES, ROUTES, OrderService
from funnel.routing import HANDLERS, STAGES as STAGE_TABLE

app = Flask(__name__)


@app.post("/r/viewed")
def viewed():
    HANDLERS["viewed"](request.json["order_id"])  # near miss: the literal key picks the handler that only logs
    return "ok"


@app.post("/r/paid")
def paid():
    HANDLERS["paid"](request.json["order_id"])  # expect: CIO501
    return "ok"


@app.post("/r/browse")
def browse():
    STAGE_TABLE["browsing"].enter(request.json["user_id"])  # near miss: the stage that only logs, renamed table
    return "ok"


@app.post("/r/churn")
def churn():
    STAGE_TABLE["churned"].enter(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/routes/paid")
def routed_paid():
    ROUTES["paid"](request.json["order_id"])  # expect: CIO501
    return "ok"


@app.post("/routes/viewed")
def routed_viewed():
    ROUTES["viewed"](request.json["order_id"])  # near miss: registered under "viewed", a handler that sends nothing
    return "ok"


@app.post("/routes/held")
def routed_held():
    ROUTES["order.held"](request.json["order_id"])  # near miss: registered by keyword under this key, sends nothing
    return "ok"


@app.post("/routes/shipped")
def routed_shipped():
    ROUTES["order.shipped"](request.json["order_id"])  # expect: CIO501
    return "ok"


@app.post("/routes/refunded")
def routed_refund():
    ROUTES["refunded"](request.json["order_id"])  # expect: CIO501
    return "ok"


@app.post("/orders/<order_id>/pay")
def pay(order_id):
    OrderService(REPOSITORIES["orders"]).pay(order_id)  # expect: CIO501
    return "ok"
