# Clients handed out by a context manager: `with session() as cio` binds what the generator yields.
import os
from contextlib import asynccontextmanager, contextmanager

from customerio import CustomerIO
from segment import analytics


@contextmanager
def session():
    cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    try:
        yield cio
    finally:
        cio.close()


@asynccontextmanager
async def async_session():
    yield CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


@contextmanager
def segment_session():
    yield analytics


def clients():  # a plain generator: iterating it is not `with ... as`
    yield CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def export_report(uid):
    with session() as cio:
        cio.track(uid, "ReportExported")  # expect: CIO202
    with segment_session() as seg:
        seg.track(uid, "Report Exported")  # Segment's naming, Segment's client


async def export_async(uid):
    async with async_session() as cio:
        cio.track(uid, "report_exported")  # expect: CIO502


def export_all(uid):
    for tracker in clients():
        tracker.track(uid, "report_exported")
