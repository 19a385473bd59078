# options: email_profiles=false
import os

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def signup(user, token):
    cio.identify(user.id, created_at=user.joined)  # a push-only workspace: cio-email-profiles = false
    cio.add_device(user.id, token, "ios")
