import os

from customerio import CustomerIO

from shop.notifier import Notifier

notifier = Notifier(CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"]))
