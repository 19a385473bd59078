"""Fanning out coroutines of another module that make their request on the client passed to them."""
import asyncio

import analytics

from fleet.audit import AuditLog
from fleet.handed import notify_handed, notify_handed_blocking, record_handed
from fleet.notify import cio


async def broadcast_handed(drivers):
    await asyncio.gather(*(notify_handed(cio, d) for d in drivers))  # expect: CIO601 "fleet.handed.notify_handed -> client.track()"


async def broadcast_handed_blocking(drivers):
    async with asyncio.TaskGroup() as group:
        for driver in drivers:
            group.create_task(notify_handed_blocking(cio, driver))  # expect: CIO601


async def broadcast_to_segment(drivers):
    await asyncio.gather(*(notify_handed(analytics, d) for d in drivers))  # near miss: Segment's module, not a client


async def record_all(drivers):
    await asyncio.gather(*(record_handed(AuditLog(), d) for d in drivers))  # near miss: the project's audit log
