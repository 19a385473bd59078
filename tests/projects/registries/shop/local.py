"""A registry filled and read in one module."""
import logging
import os

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
SENDERS = {}
LOGGERS = {}


def sender(kind):
    def add(fn):
        SENDERS[kind] = fn
        return fn
    return add


def logger(kind):
    def add(fn):
        LOGGERS[kind] = fn
        return fn
    return add


@sender("trial")
def send_trial(user):
    cio.identify(user.id, email=user.email, plan="trial")


@logger("trial")
def log_trial(user):
    logging.info("trial %s", user.id)


def on_signup_kind(kind, user):
    SENDERS[kind](user)
    LOGGERS[kind](user)


def backfill(users):
    for user in users:
        SENDERS["trial"](user)  # expect: CIO601
        LOGGERS["trial"](user)  # near miss: only logs


def on_signup_looked_up(kind, user):
    sender_for = SENDERS.get(kind)
    if sender_for is not None:
        sender_for(user)
