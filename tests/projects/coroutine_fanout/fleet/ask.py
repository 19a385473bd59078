"""A coroutine whose client comes from another module: only the project model tells what it is."""
import asyncio

from fleet.notify import cio


async def ask(driver):
    await asyncio.to_thread(cio.track, driver.id, "review_asked")
