# CIO401: a client constructed per request, per job or per loop iteration.
import functools
import os
from functools import lru_cache

from celery import shared_task
from customerio import APIClient, CustomerIO, Regions
from customerio.analytics import Client
from django.apps import AppConfig
from flask import Flask

app = Flask(__name__)
module_client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"])  # once: fine
_client = None


@app.route("/signup", methods=["POST"])
def signup():
    cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"])  # expect: CIO401
    cio.identify("1")  # expect: CIO501


@app.post("/receipt")
def receipt():
    api = APIClient(os.environ["CIO_APP_KEY"], region=Regions.EU)  # expect: CIO401
    return "ok"


def make_client():
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"])  # expect: CIO401


@app.get("/profile")
def profile():
    make_client()
    return "ok"


@shared_task
def sync_user(user_id):
    with CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"]) as cio:  # expect: CIO401
        cio.identify(user_id)


def import_all(rows):
    for row in rows:
        pipelines = Client(os.environ["CIO_WRITE_KEY"])  # expect: CIO401
        pipelines.identify(row.id)


# -- near misses: built once ---------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def get_cio():
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"])


@functools.cache
def get_app_api():
    return APIClient(os.environ["CIO_APP_KEY"])


def get_singleton():
    global _client
    if _client is None:
        _client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"])
    return _client


class CrmConfig(AppConfig):
    def ready(self):
        self.cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"])


def create_app():
    application = Flask(__name__)
    application.extensions["cio"] = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"])
    return application


class Notifier:
    def __init__(self):
        self.cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"])


def main():
    with CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"]) as cio:  # a script's one client
        cio.identify("1")


@app.route("/cached")
def cached():
    get_cio().track("1", "viewed")  # expect: CIO501
    get_singleton()
    Session()  # another library
    return "ok"


def lambda_handler(event, context):
    cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"])  # expect: CIO401 "per invocation"
    return {"statusCode": 200}


def transform(event, context):  # not a handler's name: a helper taking the same arguments
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_KEY"]).host
