"""Two (event, context) functions: the one serverless.yml names is the entry point."""
import os

from customerio import CustomerIO


def create_order(event, context):
    cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # expect: CIO401 "per invocation"
    cio.track(event["customer_id"], "order_created")


def validate(event, context):
    """Near miss: not an entry point (another function of the module is, by the deploy file)."""
    cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    return cio
