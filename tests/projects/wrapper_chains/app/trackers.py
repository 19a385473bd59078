"""Holders whose methods pass their parameters on to another method of the same instance, the last to the held
client (or, in the twin, to a held audit log)."""
import logging

from app.clients import tracker


class CrmTracker:
    def __init__(self, client):
        self.client = client

    def emit(self, customer_id, name, data=None):
        self.client.track(customer_id, name, data)

    def emit_order(self, customer_id, name, order):
        self.emit(customer_id, name, {"order_id": str(order.pk)})


class AuditTracker:
    def __init__(self, sink):
        self.sink = sink

    def emit(self, customer_id, name, data=None):
        self.sink.track(customer_id, name, data)

    def emit_order(self, customer_id, name, order):
        self.emit(customer_id, name, {"order_id": str(order.pk)})


crm = CrmTracker(tracker)
audit = AuditTracker(logging.getLogger("audit"))
