from customerio import CustomerIO

from .settings import SITE_ID, API_KEY

client = CustomerIO(SITE_ID, API_KEY)


def track_purchase(customer_id, name, data):
    client.track(customer_id, name, data)
