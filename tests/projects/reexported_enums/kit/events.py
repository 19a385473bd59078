from enum import Enum


class Event(str, Enum):
    INVOICE_CREATED = "InvoiceCreated"
    INVOICE_PAID = "invoice_paid"


class Plain:
    SIGNED_UP = "SignedUp"
