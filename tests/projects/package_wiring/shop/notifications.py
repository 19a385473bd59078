"""A module function over the package's holder: its parameters reach the holder's client."""
from shop.crm import tracker


def emit_order(account_id, name, **fields):
    tracker.emit(account_id, name, **fields)
