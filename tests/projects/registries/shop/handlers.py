import logging
import os

from customerio import CustomerIO

from shop.registry import audits, handles

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


@handles("paid")
def on_paid(order):
    cio.track(order.customer_id, "order_paid", {"total": order.total})


@handles("refunded")
def on_refunded(order):
    logging.info("refund %s", order.id)


@audits
def audit_paid(order):
    logging.info("audit %s", order.id)
