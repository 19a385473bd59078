"""A notifier given its client, reaching it through a property; a twin given an audit log."""
from crm.clients import audit_log, shared_client


class Notifier:
    def __init__(self, client):
        self._client = client

    @property
    def outbound(self):
        return self._client

    @property
    def label(self):
        return "notifier"

    def payment_failed(self, customer_id, reason):
        self.outbound.track(customer_id, "payment_failed", {"reason": reason})


class Auditor:
    def __init__(self, sink):
        self._sink = sink

    @property
    def outbound(self):
        return self._sink

    def payment_failed(self, customer_id, reason):
        self.outbound.track(customer_id, "payment_failed", {"reason": reason})


notifier = Notifier(shared_client())
auditor = Auditor(audit_log())
