"""Holder classes: defined here, instantiated in wiring.py, used in api.py and views.py."""
import functools

from customerio import CustomerIO


def logged(fn):
    """A decorator that returns the function it wraps: calls still run the function."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


class Notifier:
    def __init__(self, client):
        self.client = client

    @logged
    def welcome(self, user):
        self.client.track(user.id, "welcomed")


class Tracker:
    def __init__(self, site_id, api_key):
        self.api = CustomerIO(site_id, api_key)

    def signup(self, user):
        self.api.identify(user.id, email=user.email)


class Printer:
    def welcome(self, user):
        print(user)
