import os

from customerio import CustomerIO

from app.holders import Notifier, Printer, Tracker

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
notifier = Notifier(cio)
printer = Notifier(Printer())
tracker = Tracker(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
