"""The only (event, context) function of its module: the entry point, whatever its name."""
import os

from customerio import CustomerIO


def process(event, context):
    client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # expect: CIO401 "per invocation"
    client.identify(event["id"], plan=event["plan"])


def parse(body):
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
