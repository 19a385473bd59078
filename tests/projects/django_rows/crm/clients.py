import os

from customerio import CustomerIO


class CustomerIOClient:
    """A wrapper that builds its own client: a new connection pool per instance."""

    def __init__(self):
        self.cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])

    def status_changed(self, lead):
        self.cio.track(lead.pk, "lead_status_changed", data={"status": lead.status})
