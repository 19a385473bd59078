import os

from customerio import CustomerIO


class Messenger:
    def __init__(self, site_id=None, api_key=None):
        self.cio = CustomerIO(site_id or os.environ["CIO_SITE_ID"], api_key or os.environ["CIO_API_KEY"])

    def event(self, user_id, name, data=None):
        self.cio.track(user_id, name, data)


def client_for(tenant):
    return CustomerIO(tenant.site_id, tenant.api_key)


_shared = None
_lock = __import__("threading").Lock()


def get_cio():
    """A guarded singleton: one client for the process."""
    global _shared
    if _shared is None:
        with _lock:
            if _shared is None:
                _shared = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    return _shared
