"""A wrapper built once at import and shared: instantiating it is not per request."""
from .analytics import AnalyticsService

analytics = AnalyticsService()


def notify_shipped(order):
    analytics.order_placed(order)
