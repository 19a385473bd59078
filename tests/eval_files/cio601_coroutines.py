# CIO601: per-record work fanned out as coroutines, off-loaded calls and pool lambdas; and fan-outs that are fine.
import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


async def notify(row):
    await asyncio.to_thread(cio.track, row.id, "notified")


async def log_row(row):
    await asyncio.sleep(0)


def send(config, row):
    cio.identify(row.id, plan=config.plan)


async def broadcast(rows):
    await asyncio.gather(*(notify(row) for row in rows))  # expect: CIO601 "notify()"
    await asyncio.gather(*(log_row(row) for row in rows))
    await asyncio.gather(*(asyncio.to_thread(cio.track, row.id, "seen") for row in rows))  # expect: CIO601
    async with asyncio.TaskGroup() as group:
        for row in rows:
            group.create_task(notify(row))  # expect: CIO601
    await asyncio.gather(notify(rows[0]), notify(rows[1]))
    for name in ("admin", "owner"):
        await notify(name)


def backfill(config, rows):
    with ThreadPoolExecutor(8) as executor:
        list(executor.map(lambda row: send(config, row), rows))  # expect: CIO601
        list(executor.map(lambda row: print(config, row), rows))
