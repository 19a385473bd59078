import os

from customerio import CustomerIO

import kit
from kit import Event, Plain, names

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_API_KEY"])


def run(uid):
    cio.track(uid, Event.INVOICE_CREATED, {"total": 12.5})  # expect: CIO202
    cio.track(uid, kit.Event.INVOICE_CREATED.value)  # expect: CIO202
    cio.track(uid, Plain.SIGNED_UP)  # expect: CIO202
    cio.track(uid, Event.INVOICE_PAID, {"total": 12.5})  # near miss: snake_case through the re-export


def refund(uid):
    name = names.ORDER_REFUNDED  # a local bound to another module's constant, read through the module
    cio.track(uid, name, {"total": 12.5})  # expect: CIO202
    paid = names.ORDER_PAID
    cio.track(uid, paid)  # near miss: snake_case through the module


def upgrade(uid):
    cio.track(uid, f"{names.Plan.PRO.value}_selected")  # near miss: a fixed name, another module's plain Enum value
    cio.track(uid, names.Plan.ENTERPRISE.value)  # expect: CIO202
