"""Calls of the holders' chained methods: the event name reaches Customer.io through the CRM tracker only."""
from app.trackers import audit, crm


def shipped(order):
    crm.emit_order(str(order.buyer_id), "OrderShipped", order)  # expect: CIO202 "'OrderShipped'"
    audit.emit_order(str(order.buyer_id), "OrderShipped", order)
