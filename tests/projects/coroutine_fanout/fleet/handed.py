"""Coroutines that make their request on the client their caller hands them, untyped: this module never names
Customer.io, so only the call (``notify_handed(cio, driver)``) tells what they reach."""
import asyncio


async def notify_handed(client, driver):
    await asyncio.to_thread(client.track, driver.id, "driver_broadcast", {"message": "handed"})


async def notify_handed_blocking(client, driver):
    client.track(driver.id, "driver_broadcast", {"message": "handed"})


async def record_handed(sink, driver):
    await asyncio.to_thread(sink.track, driver.id, "driver_broadcast")
