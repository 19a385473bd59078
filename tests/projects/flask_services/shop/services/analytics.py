import os
from functools import lru_cache

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def track_signup(user):
    cio.identify(user.id, email=user.email)
    cio.track(user.id, "signed_up")


def track_event(customer_id, name, data=None, when=None):
    cio.track(customer_id, name, data, timestamp=when)


@lru_cache(maxsize=1)
def cached_client():
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def new_client():
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


class AnalyticsService:
    """Builds its own client: one per instance."""

    def __init__(self):
        self.client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])

    def order_placed(self, order):
        self.client.track(order.user_id, "order_placed", {"total": order.total})

    def _log(self, message):
        print(message)
