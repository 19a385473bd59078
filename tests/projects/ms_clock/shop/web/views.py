from flask import Flask

from shop.legacy.clock import now_ms
from shop.services.analytics import cio
from shop.tasks import sync_customer
from shop.utils import clock

app = Flask(__name__)


@app.post("/signup")
def signup(user):
    sync_customer.delay(user.id, user.created, user.plan)
    return "ok"


@app.post("/login")
def login(user):
    cio.identify(user.id, last_login_at=now_ms())  # expect: CIO501 -- this module's now_ms is the legacy one, in seconds
    return "ok"


@app.post("/cart")
def cart(user):
    cio.track(user.id, "cart_viewed", {"viewed_at": clock.now_ms()})  # expect: CIO501, CIO101 "shop/utils/clock.py:6"
    return "ok"
