"""Where the app wires its services: each built with its client in place, used from other modules."""
import os

from customerio import CustomerIO

from shop.notify.notifier import Notifier
from shop.services.segment import SegmentService

email_notifier = Notifier(CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"]))
sms_notifier = Notifier(client=CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"]), channel="sms")
segment_notifier = Notifier(SegmentService())
log_notifier = Notifier(print)
