"""Funnel stages as instances in a table keyed by name; two of them track, one only logs."""
import logging
import os

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
log = logging.getLogger(__name__)


class Onboarding:
    def enter(self, user_id):
        cio.track(user_id, "onboarding_started")


class Churned:
    def enter(self, user_id):
        cio.track(user_id, "churned")


class Browsing:
    def enter(self, user_id):
        log.info("browsing %s", user_id)


STAGES = {"onboarding": Onboarding(), "churned": Churned(), "browsing": Browsing()}
QUIET_STAGES = {"browsing": Browsing(), "idle": Browsing()}
STAGE_CLASSES = {"onboarding": Onboarding, "browsing": Browsing}


def on_paid(order_id):
    cio.track(order_id, "order_paid")


def on_viewed(order_id):
    log.info("viewed %s", order_id)


HANDLERS = {"paid": on_paid, "viewed": on_viewed}
