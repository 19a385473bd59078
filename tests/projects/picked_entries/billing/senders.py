"""Tables of senders and of stages, a module's dicts."""
import enum
import logging

from customerio import CustomerIO

cio = CustomerIO("site", "key")
log = logging.getLogger(__name__)


def send_paid(user_id):
    cio.track(user_id, "invoice_paid")


def log_viewed(user_id):
    log.info("viewed by %s", user_id)


HANDLERS = {"paid": send_paid, "viewed": log_viewed}
QUIET = {"viewed": log_viewed}
STEPS = [log_viewed, send_paid]
QUIET_STEPS = (log_viewed,)


class Paid:
    def enter(self, user_id):
        send_paid(user_id)


class Viewed:
    def enter(self, user_id):
        log_viewed(user_id)


STAGES = {"paid": Paid(), "viewed": Viewed()}
QUIET_STAGES = {"viewed": Viewed()}


class Kind(enum.Enum):
    PAID = 1
    VIEWED = 2


BY_KIND = {Kind.PAID: send_paid, Kind.VIEWED: log_viewed}
