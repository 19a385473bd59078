"""Providers called directly for what they provide, in async code: a holder built with the client, one built with
the audit log."""
from app.containers import Container


async def on_signup(user_id):
    Container.notifier().welcome(user_id)  # expect: CIO502 "app.services.Notifier.welcome"
    Container.ledger().welcome(user_id)
    Container.audit().track(user_id, "signed_up")
