"""Holders given their client by whoever builds them: what they hold is what the project passes."""


class Notifier:
    def __init__(self, client, prefix="order"):
        self.client = client
        self.prefix = prefix

    def reminder(self, user_id, kind):
        self.client.track(user_id, f"reminder_{kind}")  # expect: CIO201

    def welcome(self, user):
        self.client.identify(user.email, plan="free")  # expect: CIO301

    def touch(self, user_id, seen_at):
        self.client.identify(user_id, last_seen_at=seen_at)


class Reporter:
    def __init__(self, sink):
        self.sink = sink

    def reminder(self, user_id, kind):
        self.sink.track(user_id, f"reminder_{kind}")  # given a Segment client only

    def touch(self, user_id, seen_at):
        self.sink.identify(user_id, {"last_seen_at": seen_at})


class Either:
    def __init__(self, client):
        self.client = client

    def reminder(self, user_id, kind):
        self.client.track(user_id, f"reminder_{kind}")  # given a Track client and an App client: unknown


class OnlyInTests:
    def __init__(self, client):
        self.client = client

    def reminder(self, user_id, kind):
        self.client.track(user_id, f"reminder_{kind}")  # built only by a test, with a stand-in


class Typed:
    def __init__(self, client: "Recorder"):
        self.client = client

    def reminder(self, user_id, kind):
        self.client.track(user_id, f"reminder_{kind}")  # annotated: the annotation decides, not the callers


class Legacy(Notifier):
    """Built by its base's __init__: what its constructions pass is what self.client holds."""

    def renewed(self, user_id, plan):
        self.client.track(user_id, "renewed", plan=plan)  # expect: CIO404


class SegmentLegacy(Reporter):
    def renewed(self, user_id, plan):
        self.sink.track(user_id, "renewed", plan=plan)  # given a Segment client only, through its base



class Holder:
    """Never built itself: only its subclasses are."""

    def __init__(self, client):
        self.client = client


class Renewals(Holder):
    def renewed(self, user_id, plan):
        self.client.track(user_id, "renewed", plan=plan)  # expect: CIO404
