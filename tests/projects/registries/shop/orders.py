import logging
import os

from customerio import CustomerIO

log = logging.getLogger(__name__)
crm = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


class OrderService:
    def order_paid(self, order):
        crm.track(order["customer_id"], "order_paid")

    def order_refunded(self, order):
        crm.track(order["customer_id"], "order_refunded")

    def note_paid(self, order):
        log.info("paid %s", order["id"])


service = OrderService()
