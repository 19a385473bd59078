# A client, an event name or a timestamp reaching a call through an `or` default, a conditional expression, tuple
# unpacking, a partial awaited in a route, a context manager that builds a client, and a name that says email.
import asyncio
import json
import os
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from functools import lru_cache, partial
from typing import Generic, TypeVar

import analytics  # Segment's library
from customerio import CustomerIO
from fastapi import FastAPI
from flask import current_app

api = FastAPI()
primary = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
secondary = CustomerIO(os.environ["CIO_SITE_ID_2"], os.environ["CIO_API_KEY_2"])


@lru_cache(maxsize=None)
def tracking() -> CustomerIO:
    return primary


def notify(ride, client=None):
    client = client or tracking()
    client.track(ride.rider_id, "driver_arriving", timestamp=ride.eta_at_ms)  # expect: CIO101


def notify_segment(ride, sink=None):
    sink = sink or analytics
    sink.track(ride.rider_id, "driver_arriving", timestamp=ride.eta_at_ms)  # Segment: silent


def surge(rider_id):
    tracker, backup = primary, secondary
    tracker.track(rider_id, "SurgeStarted")  # expect: CIO202
    name, audience = "surge_started", "riders"
    backup.track(rider_id, name, {"audience": audience})


def surge_segment(rider_id):
    sink, name = analytics, "SurgeStarted"
    sink.track(rider_id, name)  # Segment: silent


def seen(rider_id, eu):
    client = secondary if eu else primary
    client.identify(rider_id, last_opened_at=datetime.now())  # expect: CIO103


def get_customerio_client():
    return current_app.extensions["cio"]


def seen_either(rider_id, eu):
    client = get_customerio_client() if eu else primary
    client.identify(rider_id, last_opened_at=datetime.now())  # expect: CIO103


def seen_maybe(rider_id, eu):
    sink = analytics if eu else None
    sink.identify(rider_id, last_opened_at=datetime.now())  # Segment or nothing: silent


@api.post("/tip")
async def tip(rider_id: str, amount: float):
    send = partial(primary.track, rider_id, "tip_added")
    await asyncio.to_thread(send, data={"amount": amount})  # expect: CIO501
    return {"ok": True}


@asynccontextmanager
async def crm_session():
    client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # expect: CIO401
    try:
        yield client
    finally:
        client.close()


@contextmanager
def audit_session():
    yield json


@api.post("/promo")
async def redeem(rider_id: str, code: str):
    async with crm_session() as client:
        await asyncio.to_thread(client.track, rider_id, "promo_redeemed", {"code": code})  # expect: CIO501
    with audit_session() as audit:
        audit.dumps({"code": code})
    return {"ok": True}


@asynccontextmanager
async def lifespan(app):
    app.state.crm = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # once, at start-up: silent
    yield


def suppress_bounce(body):
    email = body["mail"]["destination"][0]
    primary.suppress(email)  # expect: CIO301


def suppress_account(body):
    account = body["mail"]["destination"][0]
    primary.suppress(account)  # a name that says nothing: silent


T = TypeVar("T")


class Repo(Generic[T]):
    def __init__(self, client: CustomerIO):
        self.client = client


class ProfileRepo(Repo[dict]):  # a generic base written with its type argument
    def save(self, row):
        self.client.identify(row["id"], last_seen_at=datetime.now())  # expect: CIO103


class Rows(list[dict]):
    def save(self, row):
        self.append(row)
