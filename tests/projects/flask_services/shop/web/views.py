import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from asgiref.sync import sync_to_async
from flask import Blueprint

from shop.services import AnalyticsService, track_signup
from shop.services.analytics import cached_client, cio, new_client, track_event
from shop.services.segment import SegmentService
from shop.services.shared import analytics, notify_shipped

bp = Blueprint("shop", __name__)
pool = ThreadPoolExecutor(4)


@bp.post("/signup")
def signup(user):
    track_signup(user)  # expect: CIO501 "shop.services.analytics.track_signup -> cio.identify()"
    SegmentService().track(user.id, "Signed Up")
    return "ok"


@bp.post("/orders")
def place_order(order):
    service = AnalyticsService()  # expect: CIO401
    service.order_placed(order)  # expect: CIO501
    return "ok"


@bp.post("/shipped")
def shipped(order):
    notify_shipped(order)  # expect: CIO501 "shop.services.shared.notify_shipped -> shop.services.analytics.AnalyticsService.order_placed"
    analytics._log("shipped")
    return "ok"


@bp.before_request
def remember_visit(user=None):
    cio.track("visitor", "page_viewed")  # expect: CIO501


@bp.post("/clients")
def clients(user):
    cached_client().identify(user.id)  # expect: CIO501
    new_client().identify(user.id)  # expect: CIO401, CIO501
    return "ok"


@bp.post("/visit")
def visit(user):
    track_event(user.email, "visited", when=int(time.time() * 1000))  # expect: CIO301, CIO101, CIO501
    return "ok"


@bp.post("/async")
async def later(user):
    await sync_to_async(cio.track)(user.id, "checked_out")  # expect: CIO501 "event loop free"
    await asyncio.get_running_loop().run_in_executor(None, partial(cio.track, user.id, "paid"))  # expect: CIO501
    return "ok"


def welcome_all(users):
    for user in users:
        track_signup(user)  # expect: CIO601
    for plan in ("free", "pro"):
        track_event(plan, "plan_seen")
    list(pool.map(track_signup, users))  # expect: CIO601
    list(pool.map(track_signup, ("admin", "owner")))


def report():
    track_event("admin", "report_built")
