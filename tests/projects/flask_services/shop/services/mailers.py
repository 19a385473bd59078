"""Helpers that build a client on every call (CIO401 where a request handler calls them), and near misses."""
import functools
import os

from customerio import CustomerIO

_shared = None


def send_welcome(user):
    cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    cio.track(user.id, "welcomed")


@functools.cache
def cached_client():
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def send_goodbye(user):
    global _shared
    if _shared is None:
        _shared = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    _shared.track(user.id, "said_goodbye")


class Greeter:
    def hello(self, user):
        CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"]).identify(user.id)
