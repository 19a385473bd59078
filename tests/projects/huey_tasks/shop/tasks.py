import os

from customerio import CustomerIO, Regions
from huey import RedisHuey
from huey.contrib.djhuey import db_periodic_task, db_task

queue = RedisHuey("shop")


def build():
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_API_KEY"], region=Regions.EU)  # expect: CIO401


@db_task()
def send_welcome(user_id):
    client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_API_KEY"], region=Regions.EU)  # expect: CIO401
    client.identify(user_id, email=f"{user_id}@example.com")


@queue.task(retries=3)
def send_receipt(order_id):
    build().track(order_id, "receipt_sent")  # reported where build() constructs (same module)


@db_periodic_task(None)
def nightly():
    build().track("ops", "nightly_ran")


def send_now(user_id):  # a plain function: calling it runs it
    build().identify(user_id, plan="basic")
