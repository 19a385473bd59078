import os

from customerio import CustomerIO


def on_refund(evt, ctx):
    CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"]).track(evt["id"], "refunded")  # expect: CIO401


def audit(event, context):
    """Near miss: a second (event, context) function that no deploy file names."""
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
