from flask import Flask

from crm import tracking
from crm.tracking import Billing, identify, track_event

app = Flask(__name__)
billing = Billing()


@app.post("/signup")
def signup(user):
    track_event(user.id, "signed_up")  # expect: CIO302, CIO501 "crm.tracking.track_event -> cio.track() (crm/tracking.py:10)"
    identify(user.id, plan="free")  # expect: CIO501 "crm.tracking.identify -> get_client().identify()"
    tracking.send_receipt({"transactional_message_id": 1})  # expect: CIO501 "get_app().send_email()"
    billing.invoice({"transactional_message_id": 2})  # expect: CIO501 "crm.tracking.Billing.invoice -> self.api.send_email()"
    return "ok"


@app.post("/names")
def names(user, plan):
    track_event(user.id, f"upgraded_to_{plan}")  # expect: CIO201, CIO501
    track_event(user.email, "emailed")  # expect: CIO301, CIO501
    return "ok"


@app.post("/quiet")
def quiet(user):
    tracking.mirror_to_segment(user.id, "signed_up")  # Segment, not Customer.io
    tracking.track_queued(user.id, "signed_up")  # the runtime client queues: it does not block
    billing.record(user.id)  # Segment again, through an attribute
    return "ok"


def nightly(users):
    for user in users:
        track_event(user.id, "nightly_sync")  # expect: CIO601 "`track_event()` runs once per record in a loop"


def nightly_profiles(user, plan):
    from crm.tracking import identify_with, track_with

    identify_with(user.id, plan=plan, renewed_at=1735689600000)  # expect: CIO101 "as `renewed_at`" -- attributes through **attributes
    identify_with(user.id, plan=plan, renewed_at=1735689600)
    track_with(user.id, "renewed", data={"plan": plan})
    track_with(user.id, "renewed", plan=plan)  # expect: CIO404 "(plan)"
