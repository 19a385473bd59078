"""Clients: per-request construction, 2.x track data, regions; an existing runtime import is reused."""
import os

import customerio as sdk
from customerio import APIClient, CustomerIO
from flask import Flask

from flake8_cio.runtime import get_app_client, get_client

app = Flask(__name__)
shared = get_client()
eu = CustomerIO(os.environ["S"], os.environ["K"], region=sdk.Regions.EU)
api_eu = APIClient(os.environ["A"], region=sdk.Regions.EU)
from_env = APIClient(os.environ["A"], region=os.environ["REGION"])  # could hold anything: reported, not fixed


@app.post("/welcome")
def welcome(user):
    cio = get_client(os.environ["S"], os.environ["K"])  # built per request, used only to send: safe
    cio.identify(user.id, plan="pro")
    return "welcome"


@app.post("/receipt")
def receipt(user):
    api = get_app_client(os.environ["A"])
    return api.send_email(request_for(user))  # the runtime App client sends and answers as the SDK: safe


@app.post("/signup")
def signup(user, extra):
    cio = CustomerIO(os.environ["S"], os.environ["K"])
    cio.identify(user.id, plan="pro")  # work follows that a failure here would have stopped: unsafe
    shared.track(user.id, "signed_up", data={"plan": "pro", "seats": 3})
    shared.track(
        user.id,
        "invited",
        data={
            "plan": "pro",  # the plan
            "seats": 3,  # the seats
            **extra,
        },
    )
    kept = CustomerIO(os.environ["S"], os.environ["K"], retries=5)  # get_client takes no `retries`: no fix
    return kept


@app.post("/read")
def read(user):
    cio = CustomerIO(os.environ["S"], os.environ["K"])
    return cio.track(user.id, "read")  # the result is read: no fix


@app.post("/close")
def close(user):
    cio = CustomerIO(os.environ["S"], os.environ["K"])
    cio.track(user.id, "closed")
    cio.close()  # would close the shared client: no fix
