"""Instances held through a typed ``__init__`` parameter, whose class has its client attribute from a base of
another module (class-attribute look-up through the bases, across modules)."""
from datetime import datetime

from crm.mixins import AuditMixin, CrmMixin


class CartService(CrmMixin):
    def __init__(self, shop_id):
        self.shop_id = shop_id


class QuietCartService(CrmMixin):
    outbound = None  # overrides the base's client


class AuditedCartService(AuditMixin):
    pass


class LoggedCartService(CrmMixin):
    def __init__(self, log):
        self.outbound = log  # its own attribute, set in a method, hides the base's client


class AuditFirstService(AuditMixin, CrmMixin):
    pass  # the audit log comes first in the bases


class Reporter:
    def __init__(self, carts: CartService, quiet: QuietCartService, audited: AuditedCartService,
                 logged: LoggedCartService, audit_first: AuditFirstService):
        self.carts = carts
        self.quiet = quiet
        self.audited = audited
        self.logged = logged
        self.audit_first = audit_first

    def mark_login(self, user):
        self.carts.outbound.identify(user.pk, last_login_at=datetime.now())  # expect: CIO103
        self.quiet.outbound.identify(user.pk, last_login_at=datetime.now())  # near miss: the class's own None
        self.audited.outbound.identify(user.pk, last_login_at=datetime.now())  # near miss: the audit log
        self.logged.outbound.identify(user.pk, last_login_at=datetime.now())  # near miss: set in __init__
        self.audit_first.outbound.identify(user.pk, last_login_at=datetime.now())  # near miss: the first base's
