import os

from customerio import CustomerIO


class CustomerIOClient:
    def __init__(self):
        self.client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])

    def identify(self, pk, **attributes):
        self.client.identify(pk, **attributes)
