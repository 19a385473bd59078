"""Clients reached through attributes: a box given one, a lazy property, a class attribute bound to a factory."""
from crm import clients


class ClientBox:
    def __init__(self, client):
        self.client = client

    def replace(self, client):
        self.client = client


class LazyClient:
    @property
    def api(self):
        from crm.clients import shared_client

        return shared_client()

    @property
    def log(self):
        from crm.clients import audit_log

        return audit_log()


class OrderEvents(LazyClient):
    def shipped(self, order):
        self.api.track(order.customer_id, "order_shipped")

    def noted(self, order):
        self.log.write(order.note)


class Messaging:
    outbound = clients.shared_client()
    journal = clients.audit_log()

    def welcome(self, user):
        self.outbound.identify(user.pk, email=user.email, plan="free")

    def remember(self, user):
        self.journal.write(user.pk)


class AuditMessaging(Messaging):
    def audited(self, user):
        self.outbound.track(user.pk, "user_audited")
