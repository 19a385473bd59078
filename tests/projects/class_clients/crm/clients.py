"""Clients that are project classes: a subclass of the SDK's client, and a base view holding one."""
import os

from customerio import APIClient, CustomerIO


class CustomerIOExt(CustomerIO):
    """The SDK's client with the project's helpers: its instances are clients for every rule."""

    def track_order(self, order):
        self.track(order.customer_email, "order_placed", data={"total": order.total})  # expect: CIO301


class Mailer(APIClient):
    pass


class AuditLog:
    """A near miss: a class of the project that is no client, with SDK-named methods."""

    def track(self, *args, **kwargs):
        return args

    def identify(self, *args):
        return args


class TrackedView:
    """A base view: the client is a class attribute under a name that says nothing."""

    crm_tracker = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    audit = AuditLog()


class CrmGateway:
    """A client handed out by a property; a near miss handed out by another."""

    @property
    def sdk(self):
        return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])

    @property
    def audit(self):
        return AuditLog()


class Holder:
    client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    log = AuditLog()


crm_holder = Holder()
