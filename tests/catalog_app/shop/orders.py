from customerio import analytics

from .clients import cio


def paid(order):
    cio.track(order.user_id, "order_completed", {"order_id": order.id, "total": 12.5})
    cio.track(order.user_id, "OrderCompleted", data={"order_id": order.id})
    analytics.track(order.user_id, "Order Completed", {"order_id": order.id})


def refunded(order):
    cio.track(order.user_id, "order-completed", data={"refund": True})
