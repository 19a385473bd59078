from .audit import audit_log
from .client import tracker


class CrmMixin:
    outbound = tracker  # another module's client, as a class attribute


class AuditMixin:
    outbound = audit_log  # another module's look-alike
