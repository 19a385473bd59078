from . import client


class CrmService:
    """Holds the shared client: instantiating it builds nothing."""

    def __init__(self):
        self.client = client.cio

    def welcome(self, user):
        client.cio.identify(user.pk, email=user.email)

    def upgraded(self, user, plan):
        client.cio.track(user.pk, "plan_upgraded", {"plan": plan})


def sync_profile(user):
    CrmService().welcome(user)
