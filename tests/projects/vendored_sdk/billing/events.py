"""Application code on the vendored 2.x SDK: 2.x-style keyword data is right here."""
import os

from vendor.customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def invoice_paid(invoice):
    cio.track(invoice.customer_id, "invoice_paid", amount=invoice.amount)


def invoice_failed(invoice):
    cio.track(invoice.customer_email, "invoice_failed")  # expect: CIO301
