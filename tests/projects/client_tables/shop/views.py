"""Request handlers tracking through a client a key picks: another module's table, or this module's."""
import os

from customerio import CustomerIO
from flask import Flask, request

from shop.clients import CLIENTS, MIXED, QUEUED, REGIONS

app = Flask(__name__)
LOCAL = {"eu": CustomerIO(os.environ["CIO_EU_SITE"], os.environ["CIO_EU_KEY"])}


@app.post("/<region>/orders")
def order(region):
    CLIENTS[region].track(request.json["user_id"], "order_placed")  # expect: CIO501
    return "ok"


@app.post("/<region>/signups")
def signup(region):
    client = CLIENTS[region]
    client.track(request.json["user_id"], "signed_up")  # expect: CIO501
    return "ok"


@app.post("/<region>/carts")
def cart(region):
    CLIENTS.get(region).track(request.json["user_id"], "cart_updated")  # expect: CIO501
    return "ok"


@app.post("/eu/refunds")
def refund():
    LOCAL["eu"].track(request.json["user_id"], "refund_issued")  # expect: CIO501
    return "ok"


@app.post("/<region>/queued")
def queued(region):
    QUEUED[region].track(request.json["user_id"], "order_placed")  # near miss: the runtime client does not block
    return "ok"


@app.post("/<region>/mixed")
def mixed(region):
    MIXED[region].info("order %s", request.json["user_id"])  # near miss: entries of different kinds, a logger call
    return "ok"


@app.post("/<region>/ping")
def ping(region):
    return REGIONS[region].strip()  # near miss: a table of text


@app.post("/<region>/ping/get")
def ping_get(region):
    return REGIONS.get(region, "").strip()  # near miss: a table of text, by get()


def nightly(region, user_ids):
    CLIENTS[region].track(user_ids[0], "report_sent")  # near miss: not a handler, not in a loop
