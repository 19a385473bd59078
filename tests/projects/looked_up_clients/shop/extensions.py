"""Clients kept in the Flask app's extensions, handed out by accessor functions (a look-up builds nothing)."""
import os

from customerio import CustomerIO
from flask import current_app


def init_app(app):
    app.extensions["cio"] = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    app.extensions["cache"] = {}


def crm():
    return current_app.extensions["cio"]


def typed_crm() -> CustomerIO:
    return current_app.extensions["customer_io_client"]


def cache():
    return current_app.extensions["cache"]
