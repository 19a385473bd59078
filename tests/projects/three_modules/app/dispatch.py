"""A dispatch table of handlers, called by key from another module."""
import os

from customerio import CustomerIO

crm = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def on_signup(payload):
    crm.identify(payload["user_id"], plan="free")


def on_audit(payload):
    print(payload)


HANDLERS = {"signup": on_signup, "audit": on_audit}
QUIET_HANDLERS = {"audit": on_audit}
