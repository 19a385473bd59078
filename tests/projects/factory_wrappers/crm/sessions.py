"""Context managers handing out a client for the length of a `with`: one builds a client each time it is entered,
one hands out the shared client."""
import os
from contextlib import contextmanager

from customerio import CustomerIO

from crm.clients import get_client


@contextmanager
def crm_session():
    client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    try:
        yield client
    finally:
        client.http.close()


@contextmanager
def shared_session():
    yield get_client()
