"""Holders whose declared field is the SDK's class under the project's name."""
import attr

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
