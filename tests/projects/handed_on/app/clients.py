"""A client, a table of its methods, helpers given a client by their callers, and a wrapper putting a parameter under
an attribute keyword."""
import functools
import logging
import os
import threading

from asgiref.sync import sync_to_async

from app.pipes import Track

crm = Track(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
log = logging.getLogger(__name__)

PROFILE_ACTIONS = {"identify": crm.identify, "pageview": crm.pageview}
NOTES = {"log": log.info, "warn": log.warning}


def push_receipt(client, ride):
    client.track(ride.rider_id, "receipt_sent", {"ride_id": ride.id})


def log_receipt(client, ride):
    log.info("receipt for %s through %s", ride.id, client)


def set_seats(customer_id, seats):
    crm.identify(customer_id, seats=seats)


def push_later(client, ride):
    threading.Thread(target=client.track, args=(ride.rider_id, "receipt_sent")).start()


def push_partial(client, ride):
    return functools.partial(client.track, ride.rider_id, "receipt_sent")


PAGES = {"event": crm.track, "page": crm.pageview}
KEYED = {"identify.user": crm.identify, 2: log.info}


@sync_to_async
def push_in_thread(client, ride):
    client.track(ride.rider_id, "receipt_sent", {"ride_id": ride.id})


class Ledger:
    def record(self, entry):
        log.info("ledger %s", entry)
