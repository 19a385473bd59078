"""Per-record coroutines that hand project code to a thread: a client subclass's own helper makes the request in
one, a formatter makes none in the other."""
import asyncio
import os
from functools import lru_cache

from customerio import CustomerIO


class FleetTrack(CustomerIO):
    def invoice_overdue(self, driver_id, days):
        self.track(driver_id, "invoice_overdue", {"days": days})


@lru_cache(maxsize=1)
def fleet_track() -> FleetTrack:
    return FleetTrack(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def describe(invoice):
    return f"{invoice.driver_id}: {invoice.days} days"


async def notify_overdue(invoice):
    await asyncio.to_thread(fleet_track().invoice_overdue, invoice.driver_id, invoice.days)


async def log_overdue(invoice):
    await asyncio.to_thread(describe, invoice)


async def run(invoices):
    await asyncio.gather(*(notify_overdue(i) for i in invoices))  # expect: CIO601 "FleetTrack.invoice_overdue"
    await asyncio.gather(*(log_overdue(i) for i in invoices))
