import os

from customerio import CustomerIO

tracker = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
