"""Request handlers that pick a sender or a stage from another module's table: into a name first, or by get()."""
from flask import Flask, request

from billing.senders import BY_KIND, HANDLERS, QUIET, QUIET_STAGES, QUIET_STEPS, STAGES, STEPS, Kind, log_viewed

app = Flask(__name__)
VIEWED = "viewed"


@app.post("/invoices/<kind>")
def invoice(kind):
    handler = HANDLERS[kind]
    handler(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/invoices/get/<kind>")
def invoice_get(kind):
    handler = HANDLERS.get(kind, log_viewed)
    handler(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/invoices/viewed")
def viewed():
    handler = HANDLERS["viewed"]
    handler(request.json["user_id"])  # near miss: the literal key picks the sender that only logs
    return "ok"


@app.post("/quiet/<kind>")
def quiet(kind):
    handler = QUIET[kind]
    handler(request.json["user_id"])  # near miss: no entry of this table tracks
    return "ok"


@app.post("/rebound/<kind>")
def rebound(kind):
    handler = HANDLERS[kind]
    if kind == "viewed":
        handler = log_viewed
    handler(request.json["user_id"])  # near miss: bound twice, not followed
    return "ok"


@app.post("/async/<kind>")
async def invoice_async(kind):
    handler = HANDLERS[kind]
    handler(request.json["user_id"])  # expect: CIO502
    return "ok"


@app.post("/stages/<kind>")
def stage_by_get(kind):
    STAGES.get(kind).enter(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/stages/picked/<kind>")
def stage_picked(kind):
    stage = STAGES[kind]
    stage.enter(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/stages/viewed")
def stage_viewed():
    stage = STAGES["viewed"]
    stage.enter(request.json["user_id"])  # near miss: the literal key picks the stage that only logs
    return "ok"


@app.post("/stages/quiet/<kind>")
def stage_quiet(kind):
    QUIET_STAGES.get(kind).enter(request.json["user_id"])  # near miss: no stage of this table tracks
    return "ok"


@app.post("/invoices/viewed/constant")
def viewed_by_constant():
    HANDLERS[VIEWED](request.json["user_id"])  # near miss: the constant's key picks the sender that only logs
    handler = HANDLERS.get(VIEWED)
    handler(request.json["user_id"])  # near miss: the same, picked first
    return "ok"


@app.post("/invoices/by-kind/viewed")
def viewed_by_member():
    BY_KIND[Kind.VIEWED](request.json["user_id"])  # near miss: the member picks the sender that only logs
    return "ok"


@app.post("/invoices/by-kind/paid")
def paid_by_member():
    handler = BY_KIND[Kind.PAID]
    handler(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/invoices/by-kind")
def by_member_of_the_request():
    BY_KIND[Kind(request.json["kind"])](request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/invoices/steps")
def run_steps():
    for step in STEPS:  # two steps, not one per record: no CIO601
        step(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/invoices/steps/quiet")
def run_quiet_steps():
    for step in QUIET_STEPS:
        step(request.json["user_id"])  # near miss: no step tracks
    return "ok"


def backfill(user_ids):
    for user_id in user_ids:
        for step in STEPS:
            step(user_id)  # expect: CIO601


def nightly(kind, user_ids):
    handler = HANDLERS[kind]
    handler(user_ids[0])  # near miss: not a handler, not async, not in a loop
