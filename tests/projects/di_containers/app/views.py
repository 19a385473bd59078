import os
import time

import punq
from customerio import CustomerIO
from dependency_injector.wiring import Provide, inject
from fastapi import Depends, FastAPI, Request
from flask import Flask
from lagom import Container as Deps

from app.containers import AuditLog, Container

api = FastAPI()
web = Flask(__name__)


class Database:
    def query(self, *args):
        return args


container = punq.Container()
container.register(CustomerIO, instance=CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"]))
deps = Deps()
deps[CustomerIO] = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


async def lifespan(app):
    app.state.tracker = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    app.state.db = Database()
    yield


@api.post("/signup")
@inject
async def signup(user_id: str, email: str, crm=Depends(Provide[Container.crm]), audit=Depends(Provide[Container.audit])):
    crm.identify(user_id, email=email)  # expect: CIO502
    audit.track(user_id, "signed_up")


@api.post("/seen")
async def seen(request: Request, user_id: str):
    request.app.state.tracker.track(user_id, "seen")  # expect: CIO502
    request.app.state.db.query(user_id, "seen")


@web.post("/paid")
@inject
def paid(user_id, crm=Provide[Container.crm], audit: AuditLog = Provide[Container.audit]):
    crm.track(user_id, "OrderPaid")  # expect: CIO202, CIO501
    audit.track(user_id, "OrderPaid")
    container.resolve(CustomerIO).track(user_id, "order_paid")  # expect: CIO501
    container.resolve(Database).query(user_id)
    deps[CustomerIO].identify(user_id)  # expect: CIO501
    deps[Database].query(user_id)
    return "ok"


@web.post("/called")
def called(user_id):
    Container.crm().track(user_id, "ProviderCalled")  # expect: CIO202, CIO501
    Container.audit().track(user_id, "AuditCalled")
    tracker = Container.crm()
    tracker.identify(user_id, last_seen_at=int(time.time() * 1000))  # expect: CIO101, CIO501
