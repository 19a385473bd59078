"""Clients: per-request construction, 2.x track data, regions; an existing runtime import is reused."""
import os

import customerio as sdk
from customerio import APIClient, CustomerIO
from flask import Flask

from flake8_cio.runtime import get_client

app = Flask(__name__)
shared = get_client()
eu = CustomerIO(os.environ["S"], os.environ["K"], sdk.Regions.EU)
api_eu = APIClient(os.environ["A"], region="eu")


@app.post("/signup")
def signup(user):
    cio = CustomerIO(os.environ["S"], os.environ["K"])  # built per request
    api = APIClient(os.environ["A"])
    shared.track(user.id, "signed_up", plan="pro", seats=3)
    shared.track(
        user.id,
        "signed_up",
        data={"plan": "pro"},
        source="web",  # moved into data
    )
    kept = CustomerIO(os.environ["S"], os.environ["K"], retries=5)  # get_client takes no `retries`: no fix
    return cio, api, kept
