import asyncio

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
