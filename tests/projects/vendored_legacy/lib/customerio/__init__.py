"""A vendored copy of the 0.x SDK, a single module (a stand-in written for this fixture, same shape), to which the
team appended a factory: this module is the project's code now."""
import json

import requests

VERSION = (0, 5, 2, "final", 0)


class CustomerIOException(Exception):
    pass


class CustomerIO(object):
    def __init__(self, site_id=None, api_key=None, host="track.customer.io"):
        self.site_id, self.api_key, self.host = site_id, api_key, host

    def identify(self, id, **kwargs):
        requests.put(f"https://{self.host}/api/v1/customers/{id}", data=json.dumps(kwargs))

    def track(self, customer_id, name, **data):
        requests.post(f"https://{self.host}/api/v1/customers/{customer_id}/events", data=json.dumps(data))


def default_client():
    from shop import settings

    return CustomerIO(settings.CIO_SITE_ID, settings.CIO_API_KEY)
