import os

from customerio import CustomerIO


def send_invoice(invoice_id):
    cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # expect: CIO401
    cio.track(invoice_id, "invoice_sent")


def send_by_name(invoice_id):
    cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # expect: CIO401
    cio.track(invoice_id, "invoice_sent")


def remind(invoice_id):
    cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # expect: CIO401
    cio.track(invoice_id, "invoice_reminded")


def build_client():  # called once, at start-up: never enqueued
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def later(queue, invoice_id):
    queue.enqueue_in(60, remind, invoice_id)
