import functools
import os

from customerio import CustomerIO


@functools.lru_cache(maxsize=32)
def client_for(slug) -> CustomerIO:
    return CustomerIO(os.environ[f"CIO_SITE_ID_{slug}"], os.environ[f"CIO_API_KEY_{slug}"])


class TenantRouter:
    """Given its tenant's shared client: it builds none."""

    def __init__(self, slug):
        self.client = client_for(slug)

    def event(self, customer_id, name):
        self.client.track(customer_id, name)


class FreshRouter:
    """Builds a client for each instance."""

    def __init__(self, slug):
        self.client = CustomerIO(os.environ[f"CIO_SITE_ID_{slug}"], os.environ[f"CIO_API_KEY_{slug}"])

    def event(self, customer_id, name):
        self.client.track(customer_id, name)
