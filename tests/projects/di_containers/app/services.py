"""A holder the container builds with a client (or without one)."""


class Notifier:
    def __init__(self, client):
        self.client = client

    def welcome(self, user_id):
        self.client.track(user_id, "welcomed")


class Ledger:
    def __init__(self, store):
        self.store = store

    def welcome(self, user_id):
        self.store.track(user_id, "welcomed")
