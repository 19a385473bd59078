# CIO303 is a property of the whole project: a module checked alone (project analysis off) is never judged, since
# another module may send the email. The positives are in tests/projects/lifecycle_* and tests/test_lifecycle.py.
from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO("site", "key")


def signup(user):
    cio.identify(user.id, plan="free", created_at=user.joined)  # no email here; maybe in another module


def register_user(user):
    analytics.identify(user.id, {"plan": "free"})


def sync_plan(user):
    cio.identify(user.id, plan=user.plan)
