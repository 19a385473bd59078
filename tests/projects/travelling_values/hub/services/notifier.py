"""A holder given its client by whoever builds it, imported through its package."""


class RideNotifier:
    def __init__(self, client):
        self.client = client

    def cancelled(self, ride):
        self.client.track(ride.rider_id, "RideCancelled")  # expect: CIO202


class Integrations:
    """Properties handing out what the app keeps by name."""

    def __init__(self, app):
        self.app = app

    @property
    def tracker(self):
        return self.app["cio"]

    @property
    def cache(self):
        return self.app["cache"]
