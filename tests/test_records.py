"""The summary records survive the on-disk cache exactly, and a file of another layout is refused, never half-read."""
import ast
import json

import pytest

from flake8_cio.options import Options
from flake8_cio.records import FunctionEntry, Summary
from flake8_cio.semantic import Model
from flake8_cio.summary import summarize

SOURCE = '''
import os
from functools import lru_cache

from customerio import CustomerIO, analytics

cio = CustomerIO(os.environ["S"], os.environ["K"])
reports = analytics.Client(os.environ["W"], sync_mode=True)
SIGNED_UP = "signed_up"


class Notifier:
    crm = CustomerIO(os.environ["S"], os.environ["K"])

    def __init__(self, client):
        self.client = client

    def welcome(self, user):
        self.client.track(user.id, SIGNED_UP)


@lru_cache
def get_cio():
    return CustomerIO(os.environ["S"], os.environ["K"])


def signup(user, **data):
    cio.identify(user.id, email=user.email)
    cio.track(user.id, SIGNED_UP, **data)
'''


def summary_of(source: str) -> Summary:
    return summarize(Model(ast.parse(source), source.splitlines(True), "app.py", Options(), None, resolve=False))


def test_a_summary_survives_the_cache_format():
    summary = summary_of(SOURCE)
    assert Summary.load(json.loads(json.dumps(summary.dump()))) == summary
    assert summary.clients == {"cio": "track", "reports": "analytics", "Notifier.crm": "track"}
    assert summary.sync_clients == ("reports",)
    assert summary.factories["get_cio"].cached and summary.constants == {"SIGNED_UP": "signed_up"}
    assert summary.classes["Notifier"].injected["client"].param == "client"
    signup = summary.functions["signup"]
    assert isinstance(signup, FunctionEntry) and signup.direct.method == "identify"
    assert signup.forwards["data"].sdk_param == "**" and summary.profiles.emails


@pytest.mark.parametrize("damage", [
    lambda data: data.pop("functions"),
    lambda data: data.update(extra={}),
    lambda data: data["functions"]["signup"].update(line="12"),
    lambda data: data["functions"]["signup"].pop("builds"),
    lambda data: data["profiles"].update(identifies=[[0, 1, "u", "track", True]]),
])
def test_another_layout_is_refused(damage):
    data = json.loads(json.dumps(summary_of(SOURCE).dump()))
    damage(data)
    with pytest.raises(TypeError):
        Summary.load(data)
