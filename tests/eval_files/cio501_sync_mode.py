# CIO501/CIO502 for the Data Pipelines client: its calls queue, unless sync_mode makes them blocking.
import asyncio
import os

from customerio import analytics
from flask import Flask

from flake8_cio.runtime import get_client

app = Flask(__name__)
analytics.write_key = os.environ["CIO_WRITE_KEY"]
analytics.sync_mode = True  # every call now posts inline, on the caller's thread


@app.post("/signup")
def signup(user):
    analytics.identify(user.id, {"plan": "pro"})  # expect: CIO501
    return "ok"


async def worker(user):
    analytics.track(user.id, "Signed Up")  # expect: CIO502
    await asyncio.to_thread(analytics.track, user.id, "Signed Up")  # a worker thread: fine outside handlers
    await asyncio.to_thread(get_client().track, user.id, "signed_up")
