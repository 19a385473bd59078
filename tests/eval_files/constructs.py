# Language constructs: nested functions, lambdas, class bodies, decorators, comprehensions, match, walrus, async.
import time

import customerio as sdk_alias
from customerio import CustomerIO as CIO
from flask import Blueprint

from flake8_cio.runtime import RuntimeClient

bp = Blueprint("crm", __name__)
client = CIO("site", "key")


class Settings:
    cio = sdk_alias.CustomerIO("site", "key")  # a class body runs once
    stamp = client.identify("1", created_at=time.time() * 1000)  # expect: CIO101


@bp.route("/nested")
def outer():
    def inner():  # a nested function runs when it is called, not as part of this handler
        client.track("1", "inner_ran")

    threading.Thread(target=inner).start()
    callback = lambda: client.track("1", "later")  # noqa: E731
    return callback


async def comprehensions(users):
    [client.identify(u.id) async for u in users]  # expect: CIO502, CIO601
    {u.id: client.identify(u.id) for u in users}  # expect: CIO502, CIO601


def walrus(users):
    if (stamp := int(time.time() * 1000)):
        client.identify("1", created_at=stamp)  # expect: CIO101 "`stamp` is computed at line 35"


def matching(event):
    match event:
        case {"type": "signup", "user": user}:
            client.track(user, f"signup_{event['plan']}")  # expect: CIO201
        case _:
            pass


@bp.route("/decorated")
@login_required
def decorated():
    client.suppress("1")  # expect: CIO501


def shadowed(client):
    client.identify("1")  # a parameter named `client` is not one of the configured client names


def shadowed_cio(cio: "Mixpanel"):
    cio.track("1", "UserSignedUp")  # annotated with another type


def rebound():
    cio = Mixpanel("token")
    cio.track("1", "UserSignedUp")  # bound to another library's class


@bp.route("/officer")
def officer(pk):
    cio = Officer.objects.get(pk=pk)  # a chief information officer, not a client
    cio.delete()
    crm = get_customerio_client()
    crm.identify("1")  # expect: CIO501  -- the factory's name says Customer.io


async def runtime_typed(client: RuntimeClient, users):
    client.track("1", "UserSignedUp")  # expect: CIO202
    for user in users:
        client.identify(user.id, created_at=time.time() * 1000)  # expect: CIO101


# A module named like a client is a module: `import cio` (a CMS package), `import analytics as cio`.
import cio as content  # noqa: E402
import content_io as cio  # noqa: E402


@bp.route("/nodes/delete")
def delete_node(uri):
    cio.delete(uri)
    content.track(uri, "viewed")


# A client reached through a typed constructor parameter and a typed dataclass field.
from dataclasses import dataclass  # noqa: E402


@dataclass
class Deps:
    tracker: CIO
    label: str = "deps"


class Sender:
    def __init__(self, tracker: CIO, audit: "AuditLog"):
        self.tracker = tracker
        self.audit = audit

    async def send(self, uid):
        self.tracker.track(uid, "sent")  # expect: CIO502
        self.audit.track(uid, "sent")


async def work(deps: Deps, uid):
    deps.tracker.track(uid, "worked")  # expect: CIO502
    deps.label.upper()


class Header:
    """An attribute read back while it is being set (the stdlib's email.header): no endless question."""

    def __init__(self, charset=None):
        if charset is None:
            charset = self._charset
        self._charset = charset
        self._charset.track(1, "x")
