# CIO601: per-record Customer.io calls fanned out through pools and executors, and fan-outs that are fine.
import os
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.pool import ThreadPool

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
pool = ThreadPool(8)


def send_welcome(user):
    cio.track(user["id"], "welcomed")


def backfill(users):
    with ThreadPoolExecutor(8) as executor:
        for user in users:
            executor.submit(cio.identify, user["id"], plan=user["plan"])  # expect: CIO601 "cio.identify()"
        list(executor.map(send_welcome, users))  # expect: CIO601
    pool.map(send_welcome, users)  # expect: CIO601
    pool.map(send_welcome, [{"id": "admin"}, {"id": "owner"}])
    with ThreadPoolExecutor(2) as executor:
        executor.submit(cio.identify, "admin", plan="staff")
        executor.map(print, users)


def notify_all(users):
    def send(user):
        client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # expect: CIO401 "per record"
        client.track(user["id"], "notified")

    def shared(user):
        cio.track(user["id"], "notified")

    with ThreadPoolExecutor(4) as executor:
        list(executor.map(send, users))  # expect: CIO601
        list(executor.map(shared, users))  # expect: CIO601
