"""The module has its own `get_client` (and a `Regions` of its own): the fix qualifies the runtime's instead of
shadowing it, or calling the module's with Customer.io credentials."""
import os

import customerio
from flask import Flask

app = Flask(__name__)


class Regions:  # the module's own, unrelated
    DEFAULT = "north"


def get_client(tenant):
    return tenants[tenant]


@app.post("/signup")
def signup(user):
    cio = customerio.CustomerIO(os.environ["S"], os.environ["K"], region="eu")
    cio.identify(user.id, tenant=get_client(user.tenant).name)
