"""Request handlers dispatching through another module's tables: by a run-time key any entry may run, by a literal
key only that entry."""
from flask import Flask, request

from funnel.stages import HANDLERS, QUIET_STAGES, STAGE_CLASSES, STAGES

app = Flask(__name__)


@app.post("/stages/<kind>")
def move(kind):
    STAGES[kind].enter(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/churn")
def churn():
    STAGES["churned"].enter(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/browse")
def browse():
    STAGES["browsing"].enter(request.json["user_id"])  # near miss: the literal key picks the stage that only logs
    return "ok"


@app.post("/quiet/<kind>")
def quiet(kind):
    QUIET_STAGES[kind].enter(request.json["user_id"])  # near miss: no stage of this table tracks
    return "ok"


@app.post("/classes/<kind>")
def by_class(kind):
    STAGE_CLASSES[kind]().enter(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/orders/viewed")
def viewed():
    HANDLERS["viewed"](request.json["order_id"])  # near miss: the literal key picks the handler that only logs
    return "ok"


@app.post("/orders/paid")
def paid():
    HANDLERS["paid"](request.json["order_id"])  # expect: CIO501
    return "ok"


def backfill(kind, user_ids):
    for user_id in user_ids:  # not a request handler: per-record work
        STAGES[kind].enter(user_id)  # expect: CIO601
