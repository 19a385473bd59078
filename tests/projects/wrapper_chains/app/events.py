"""Wrappers of wrappers: each passes its parameters on to the next, the last to the SDK."""
import logging
import os

from customerio import CustomerIO

from app.clients import tracker

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def emit(cid, name, data):
    cio.track(cid, name, data)


def emit_order(cid, name):
    emit(cid, name, {"source": "orders"})


def emit_kw(*, who, what):
    emit(who, what, None)


def notify(uid, name, **kwargs):
    cio.track(uid, name, **kwargs)


def relay(uid, name, **kwargs):
    return notify(uid, name, **kwargs)


def audit(cid, name):
    logging.info("%s %s", cid, name)


def audit_order(cid, name):
    audit(cid, name)


def notify_remote(uid, name, **kwargs):
    tracker.track(uid, name, **kwargs)  # a client of another module: only the project tells what it is


def relay_remote(*args, **kwargs):
    return notify_remote(*args, **kwargs)
