"""Blocking calls: `nonblocking(client)` only where nothing reads the result, safe only where a failure was nothing
but an error response (a handler, outside try/with); `await` on the call is dropped."""
import csv

from celery import shared_task
from customerio import CustomerIO as CIO
from customerio import CustomerIOException
from fastapi import Depends, FastAPI
from flake8_cio.runtime import nonblocking
from flask.views import MethodView

app = FastAPI()
cio = CIO(SITE, KEY)


@app.post("/a")
async def a(user):
    nonblocking(cio).track(user.id, "a_done")
    nonblocking(cio).identify(
        user.id,
        plan="pro",  # the plan
    )
    return {}


@app.get("/b")
def b(user):
    (cio).suppress(user.id)
    response = cio.track(user.id, "b_done")  # the result is read: no fix
    return response.status_code


@app.get("/c")
def c(user):
    try:
        cio.track(user.id, "c_done")  # handled failure: unsafe
    except CustomerIOException:
        return {"queued": False}
    return {"queued": True}


@app.post("/orders")
def orders(order):
    cio.track(order.user_id, "ordered")
    return save(order)  # a failure above would have skipped the save: unsafe


@app.get("/d")
def d(user, client: CIO = Depends(get_cio)):
    client.track(user.id, "d_done")  # injected: a test may pass a Mock: unsafe


@shared_task(autoretry_for=(CustomerIOException,))
def e(user_ids):
    for user_id in user_ids:
        cio.track(user_id, "e_done")  # not a handler: the task's retry sees failures: unsafe


class SignupView(MethodView):
    def __init__(self):
        self.cio = CIO(SITE, KEY)

    def post(self, user):
        nonblocking(self.cio).identify(user.id)  # the view's own client: safe
        return {}


def main(path):
    failed = 0
    for row in csv.DictReader(open(path)):
        try:
            cio.identify(row["id"])  # unsafe
        except CustomerIOException:
            failed += 1
    return failed


proxied = CIO(SITE, KEY, host="cio-proxy.internal", url_prefix="/customerio/v1")


@app.post("/through-the-proxy")
def through_the_proxy(user):
    proxied.track(user.id, "proxied")  # the proxy may not route the runtime's v2 path: no fix
    return {}
