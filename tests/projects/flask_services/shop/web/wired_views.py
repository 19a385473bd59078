from flask import Blueprint

from shop.notify import wiring
from shop.notify.wiring import email_notifier, log_notifier, segment_notifier

bp = Blueprint("wired", __name__)


@bp.post("/welcome-wired")
def welcome(user):
    email_notifier.welcome(user)  # expect: CIO501 "shop.notify.notifier.Notifier.welcome -> self.client.track() (shop/notify/notifier.py:10)"
    wiring.sms_notifier.welcome(user)  # expect: CIO501
    segment_notifier.welcome(user)  # another vendor's client: silent
    log_notifier.welcome(user)  # a function, not a client: silent
    return "ok"
