from flask import Flask

from shop.db import db
from shop.models import Account
from shop.tenants import FreshRouter, TenantRouter

app = Flask(__name__)


def _account(pk) -> Account:
    return db.get(Account, pk)


def _row(pk) -> dict:
    return db.get(Account, pk)


@app.post("/tenants/<slug>/events")
def tenant_event(slug):
    TenantRouter(slug).event("u1", "signed_up")  # expect: CIO501
    return "ok"


@app.post("/fresh/<slug>/events")
def fresh_event(slug):
    FreshRouter(slug).event("u1", "signed_up")  # expect: CIO401, CIO501
    return "ok"


@app.post("/accounts/<pk>/sync")
def sync(pk):
    account = _account(pk)
    account.sync_to_crm()  # expect: CIO501
    _row(pk).sync_to_crm()  # near miss: declared a dict, not a project class
    return "ok"
