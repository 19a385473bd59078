from flask import Blueprint

from shop.notify.notifier import Notifier
from shop.services.analytics import cio
from shop.services.segment import SegmentService

bp = Blueprint("notify", __name__)
notifier = Notifier(cio)
segment_notifier = Notifier(SegmentService())


@bp.post("/welcome")
def welcome(user):
    notifier.welcome(user)  # expect: CIO501 "shop.notify.notifier.Notifier.welcome -> self.client.track()"
    segment_notifier.welcome(user)
    Notifier(client=cio, channel="sms").welcome(user)  # expect: CIO501
    return "ok"
