"""The project's Customer.io client, built in the app's ready() through `global`."""
from customerio import CustomerIO

cio = None


def init(site_id, api_key):
    global cio
    cio = CustomerIO(site_id, api_key)
