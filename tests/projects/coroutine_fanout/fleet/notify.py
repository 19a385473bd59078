"""Coroutines that each make one Customer.io request, for other modules to fan out."""
import asyncio
import logging

from customerio import CustomerIO

cio = CustomerIO("3f2a9c81d7e4b6051a2f", "9b8c7d6e5f4a3b2c1d0e")  # expect: CIO402, CIO402


async def notify_driver(client: CustomerIO, driver, message):
    await asyncio.to_thread(client.track, driver.id, "driver_broadcast", {"message": message})


async def send_direct(driver, message):
    cio.track(driver.id, "driver_broadcast", {"message": message})  # expect: CIO502


async def send_offloaded(driver, message):
    await asyncio.to_thread(cio.track, driver.id, "driver_broadcast", {"message": message})


async def send_all(drivers, message):
    await asyncio.to_thread(cio.batch, [{"type": "person", "identifiers": {"id": d.id}, "action": "event",
                                         "name": "driver_broadcast"} for d in drivers])


async def log_driver(driver):
    logging.info("driver %s", driver.id)
