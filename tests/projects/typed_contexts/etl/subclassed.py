"""Contexts whose field is typed as the project's subclass of the SDK client, or as a look-alike of another
library; the SDK's methods handed on as values."""
import asyncio
from dataclasses import dataclass

from customerio import CustomerIO


class LedgerTrack(CustomerIO):
    def invoice_overdue(self, account_id, days):
        self.track(account_id, "invoice_overdue", {"days": days})


class Ledger:
    def identify(self, account_id, **attributes):
        return account_id, attributes

    def delete(self, account_id):
        return account_id


@dataclass
class LedgerCtx:
    tracker: LedgerTrack


@dataclass
class BookCtx:
    tracker: Ledger


async def sync_balances(ctx: LedgerCtx, book: BookCtx, balances):
    for account_id, balance in balances.items():
        await asyncio.to_thread(ctx.tracker.identify, account_id, balance=balance)  # expect: CIO601
    for account_id, balance in balances.items():
        await asyncio.to_thread(book.tracker.identify, account_id, balance=balance)  # near miss: not a client


async def forget(ctx: LedgerCtx, book: BookCtx, account_id):
    asyncio.get_running_loop().call_soon(ctx.tracker.delete, account_id)  # expect: CIO502
    asyncio.get_running_loop().call_soon(book.tracker.delete, account_id)  # near miss: the project's own ledger
