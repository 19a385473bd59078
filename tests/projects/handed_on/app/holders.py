"""Holders whose declared field is the SDK's class under the project's name."""
import os

import attr

from app.clients import Ledger
from app.pipes import Track


class AuditLog:
    def track(self, actor, action):
        return (actor, action)


@attr.s
class Context:
    sender: Track = attr.ib()
    audit: AuditLog = attr.ib()


class Greeter:
    def __init__(self, context: Context):
        self.context = context

    def hello(self, user):
        self.context.sender.track(user.email, "hello_sent")  # expect: CIO301
        self.context.audit.track(user.email, "hello_sent")  # near miss: the project's own audit log


class Mailer:
    def __init__(self):
        self.sender = Track(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


class Bookkeeper:
    def __init__(self):
        self.ledger = Ledger()
