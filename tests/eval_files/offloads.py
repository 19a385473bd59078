# Work handed to threads, pools and background tasks: per-record requests, awaited off-loads, bound arguments.
import asyncio
import functools
import os
import time
from concurrent.futures import ThreadPoolExecutor

from customerio import CustomerIO
from fastapi import BackgroundTasks, FastAPI

api = FastAPI()
tracker = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
pool = ThreadPoolExecutor(8)


class Limiter:
    def acquire(self):
        time.sleep(0.01)


limiter = Limiter()


def record_opt_in(member):
    tracker.identify(member.id, sms_opt_in=True)


def limited_identify(user):
    limiter.acquire()
    tracker.identify(user.id, plan=user.plan)


def log_member(member):
    print(member)


@api.post("/members/{member_id}/opt-in")
async def opt_in(member_id: str):
    await asyncio.to_thread(record_opt_in, member_id)  # expect: CIO501 "awaiting a Customer.io call"
    await asyncio.to_thread(log_member, member_id)
    return {}


@api.post("/members/ping")
def ping(members: list, background: BackgroundTasks, source: str):
    background.add_task(tracker.track, members[0], f"pinged_{source}")  # expect: CIO201
    for member in members:
        background.add_task(tracker.track, member, "pinged")  # expect: CIO601
    background.add_task(log_member, members)
    return {}


def backfill(users):
    for user in users:
        record_opt_in(user)  # expect: CIO601 "record_opt_in()"
    for user in users:
        log_member(user)
    list(pool.map(limited_identify, users))
    churn = functools.partial(tracker.track, name="churned")
    list(pool.map(churn, [u.id for u in users]))  # expect: CIO601
    note = functools.partial(print, "churned")
    list(pool.map(note, users))


def send_with_retries(user):
    retries = 3
    for attempt in range(retries):
        try:
            tracker.identify(user.id, attempt=attempt)
            return
        except ConnectionError:
            time.sleep(2)


def upsert_all(users):
    list(pool.map(send_with_retries, users))  # expect: CIO601 -- a sleep that only backs off a failure paces nothing


def alert_with_its_own_client(user_id):
    client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # expect: CIO401 "through `alert_with_its_own_client()`"
    client.track(user_id, "alerted")


def alert_later(user_id):
    client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # bound by partial, never run here
    client.track(user_id, "alerted")


@api.post("/alerts")
async def alerts(user_id: str):
    await asyncio.to_thread(alert_with_its_own_client, user_id)  # expect: CIO501
    later = functools.partial(alert_later, user_id)
    return later


@api.post("/members/pair")
async def pair_opt_in():
    await asyncio.gather(asyncio.to_thread(tracker.identify, "m1", plan="a"), asyncio.sleep(0))  # expect: CIO501
    await asyncio.gather(*(asyncio.to_thread(log_member, m) for m in ("m1", "m2")))  # no Customer.io call
    asyncio.gather(asyncio.to_thread(tracker.identify, "m2", plan="a"))  # not awaited here: nobody waits
    return {"ok": True}
