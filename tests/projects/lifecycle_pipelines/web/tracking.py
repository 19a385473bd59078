import os

from customerio import analytics

analytics.write_key = os.environ["CIO_WRITE_KEY"]


def register_user(user):
    analytics.track(user.id, "Signed Up")  # Data Pipelines: not CIO302
    analytics.identify(user.id, {"plan": "free"})  # expect: CIO303 -- no trait `email` anywhere


def sync(user):
    analytics.identify(user.id, {"plan": user.plan})
