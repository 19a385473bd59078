# options: catalog=tests/projects/handed_on/cio-catalog.toml
"""Another module's helpers given this module's client, its table of SDK methods, its attribute wrapper."""
from asgiref.sync import sync_to_async
from fastapi import FastAPI

from app.clients import (KEYED, NOTES, PAGES, PROFILE_ACTIONS, crm, log_receipt, push_later, push_partial,
                         push_in_thread, push_receipt, set_seats)
from app.holders import Bookkeeper, Mailer

app = FastAPI()


@app.post("/rides/{ride_id}/receipt")
async def receipt(ride_id: str):
    ride = load(ride_id)
    push_receipt(crm, ride)  # expect: CIO502
    log_receipt(crm, ride)  # near miss: the helper only logs the client it is given
    push_later(crm, ride)  # near miss: the helper hands the call to a thread
    push_partial(crm, ride)  # near miss: the helper only builds a partial
    await push_in_thread(crm, ride)  # near miss: sync_to_async runs the helper in a thread
    await record_here(ride)  # near miss: the same, in this module
    return {}


def profile(kind, user):
    PROFILE_ACTIONS[kind](user.email)  # expect: CIO301
    PROFILE_ACTIONS[kind](user.id)  # near miss: a stable id
    NOTES[kind](user.email)  # near miss: a table of logging methods
    PAGES[kind](user.id, "/pricing")  # near miss: a page for pageview, an event name only for track
    PAGES[kind](user.email, "/pricing")  # expect: CIO301
    KEYED[2](user.email)  # near miss: the key picks the logging entry
    KEYED["identify.user"](user.email)  # expect: CIO301


def seats(user):
    set_seats(user.id, "12")  # expect: CIO705
    set_seats(user.id, 12)  # near miss: an integer, as the catalog says


@sync_to_async
def record_here(ride):
    crm.track(ride.rider_id, "ride_recorded", {"ride_id": ride.id})


@app.post("/mail")
def mail():
    Mailer()  # expect: CIO401
    Bookkeeper()  # near miss: each one builds the project's ledger, no client
    return {}


def load(ride_id):
    return ride_id
