"""A webhook router given its client, dispatching by getattr to one method per event family."""
from crm.clients import audit_log, shared_client


class WebhookRouter:
    def __init__(self, client):
        self.client = client

    def handle(self, event):
        handler = getattr(self, f"on_{event['type']}", None)
        if handler is not None:
            handler(event["data"])

    def on_invoice_paid(self, invoice):
        self.client.track(invoice["customer"], "invoice_paid")

    def on_invoice_voided(self, invoice):
        self.client.track(invoice["customer"], "invoice_voided")


class LogRouter:
    def __init__(self, sink):
        self.sink = sink

    def handle(self, event):
        handler = getattr(self, f"on_{event['type']}", None)
        handler(event["data"])

    def on_invoice_paid(self, invoice):
        self.sink.track(invoice["customer"], "invoice_paid")


router = WebhookRouter(shared_client())
log_router = LogRouter(audit_log())
