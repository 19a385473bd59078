from datetime import datetime

from flask import Blueprint, current_app

from shop.extensions import cache, crm, typed_crm

bp = Blueprint("shop", __name__)


def local_crm():
    return current_app.extensions["cio"]


@bp.post("/profile/<uid>")
def profile(uid):
    crm().identify(uid, last_seen_at=datetime.now())  # expect: CIO501, CIO103
    typed_crm().track(uid, "ProfileSeen")  # expect: CIO501, CIO202
    local_crm().suppress(uid)  # expect: CIO501
    cache().get(uid)
    return "ok"


@bp.post("/forget/<uid>")
def forget(uid):
    erase = getattr(crm(), "delete")
    erase(uid)  # expect: CIO501
    send = crm().track
    send(uid, "ForgetRequested")  # expect: CIO501, CIO202
    drop = getattr(cache(), "pop")
    drop(uid)
    return "ok"
