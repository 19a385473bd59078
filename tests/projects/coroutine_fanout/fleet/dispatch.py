import asyncio

import analytics

from fleet.ask import ask
from fleet.audit import AuditLog
from fleet.notify import cio, log_driver, notify_driver, send_all, send_direct, send_offloaded


async def broadcast_grouped(drivers, message):
    async with asyncio.TaskGroup() as group:
        for driver in drivers:
            group.create_task(notify_driver(cio, driver, message))  # expect: CIO601


async def broadcast_gathered(drivers, message):
    await asyncio.gather(*(notify_driver(cio, d, message) for d in drivers))  # expect: CIO601


async def broadcast_awaited(drivers, message):
    for driver in drivers:
        await send_direct(driver, message)  # expect: CIO601


async def broadcast_offloaded(drivers, message):
    await asyncio.gather(*(send_offloaded(d, message) for d in drivers))  # expect: CIO601


async def broadcast_batched(drivers, message):
    for chunk in (drivers[i:i + 100] for i in range(0, len(drivers), 100)):
        await send_all(chunk, message)  # near miss: one batch() per chunk


async def log_all(drivers):
    await asyncio.gather(*(log_driver(d) for d in drivers))  # near miss: no Customer.io request


async def first_only(drivers, message):
    await send_direct(drivers[0], message)  # near miss: one request, no loop


async def _offload(client, driver, message):
    await asyncio.to_thread(client.track, driver.id, "driver_broadcast", {"message": message})


async def broadcast_through_parameter(drivers, message):
    await asyncio.gather(*(_offload(cio, d, message) for d in drivers))  # expect: CIO601


async def _log_with(sink, driver):
    await asyncio.to_thread(sink.track, driver.id, "driver_seen")


async def log_drivers(drivers):
    await asyncio.gather(*(_log_with(analytics, d) for d in drivers))  # near miss: Segment's module is passed


async def _either(client, driver):
    await asyncio.to_thread(client.track, driver.id, "driver_seen")


async def mixed(drivers):
    await asyncio.gather(*(_either(cio, d) for d in drivers))  # expect: CIO601 -- this call passes cio itself
    await _either(AuditLog(), drivers[0])


async def ask_all(drivers):
    await asyncio.gather(*(ask(d) for d in drivers))  # expect: CIO601
