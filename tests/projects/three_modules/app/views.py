from fastapi import FastAPI
from flask import Flask
from starlette.concurrency import run_in_threadpool

from app import wiring
from app.wiring import notifier, printer, tracker

web = Flask(__name__)
api = FastAPI()


@web.post("/signup")
def signup(user):
    tracker.signup(user)  # expect: CIO501 "app.holders.Tracker.signup"
    notifier.welcome(user)  # expect: CIO501 "app.holders.Notifier.welcome"
    wiring.notifier.welcome(user)  # expect: CIO501
    printer.welcome(user)
    return "ok"


@api.post("/welcome")
async def welcome(user: dict):
    await run_in_threadpool(notifier.welcome, user)  # off-loaded: the loop stays free
    notifier.welcome(user)  # expect: CIO502
