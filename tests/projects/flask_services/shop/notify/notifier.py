"""A service that holds whatever client it is given (an untyped constructor parameter)."""


class Notifier:
    def __init__(self, client, channel="email"):
        self.client = client
        self.channel = channel

    def welcome(self, user):
        self.client.track(user.id, "welcomed", {"channel": self.channel})
