"""A dunning job: one notification per failed invoice, through the property-held client."""
from crm.outbound import auditor, notifier


def notify_failed(invoices):
    for invoice in invoices:
        notifier.payment_failed(invoice.customer_id, invoice.reason)  # expect: CIO601 "self.outbound.track()"
    for invoice in invoices:
        auditor.payment_failed(invoice.customer_id, invoice.reason)
