"""A safe fix that moves Customer.io calls to flake8_cio.runtime keeps a project's own test suite passing: where its
tests mock the SDK's HTTP, or patch the SDK's client class (for a client get_client() would build), or where the
SDK version is not decided 3.x, the fix is left unsafe and the summary says why. Proven by running a small project's
pytest suite before and after cio-fix in a subprocess."""
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from flake8_cio.fixers import cli

APP = '''\
from customerio import CustomerIO
from flask import Flask

app = Flask(__name__)
cio = CustomerIO("shop-site", "shop-key", host="127.0.0.1", port={port})


@app.post("/order")
def order():
    cio.track("u1", "order_placed", data={{"sku": "A"}})
    return "", 204


@app.post("/unsubscribe")
def unsubscribe():
    client = CustomerIO("shop-site", "shop-key")
    client.suppress("u1")
    return "", 204
'''
REQUIREMENTS = "flask\ncustomerio==3.2.0\nflake8-cio\n"
CLASS_PATCHES = '''\
from unittest import mock

from shop.app import app


@mock.patch("customerio.CustomerIO.track")
def test_order(track):
    assert app.test_client().post("/order").status_code == 204
    track.assert_called_once_with("u1", "order_placed", data={"sku": "A"})


@mock.patch("customerio.CustomerIO.suppress")
def test_unsubscribe(suppress):
    assert app.test_client().post("/unsubscribe").status_code == 204
    suppress.assert_called_once_with("u1")
'''
TRANSPORT_PATCHES = '''\
from unittest import mock

from customerio import CustomerIO

from shop.app import app


def test_order():
    with mock.patch.object(CustomerIO, "send_request") as send:
        assert app.test_client().post("/order").status_code == 204
    assert send.call_args.args[0] == "POST" and send.call_args.args[2]["data"] == {"sku": "A"}


def test_unsubscribe():
    with mock.patch.object(CustomerIO, "send_request") as send:
        assert app.test_client().post("/unsubscribe").status_code == 204
    send.assert_called_once()
'''


def closed_port() -> int:
    """A port nothing listens on: whatever a test lets through is refused, never sent anywhere."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_project(root, tests, requirements=REQUIREMENTS):
    (root / "shop").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "app.py").write_text(APP.format(port=closed_port()))
    (root / "tests" / "__init__.py").write_text("")
    (root / "tests" / "test_app.py").write_text(tests)
    (root / "requirements.txt").write_text(requirements)
    return root / "shop" / "app.py"


def suite_passes(root) -> bool:
    """Whether the project's own tests pass; the runtime client, where a fix brought it, sends to a closed port."""
    env = {**os.environ, "CUSTOMERIO_TRACK_URL": f"https://127.0.0.1:{closed_port()}", "CUSTOMERIO_SPOOL": "none"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "tests"],
                         cwd=root, capture_output=True, text=True, timeout=120, env=env)
    return run.returncode == 0


def fix(path, capsys, *args):
    cli.main(["--isolated", "--jobs", "1", *args, str(path)])
    return capsys.readouterr().err


@pytest.mark.parametrize("tests, fixed, left", [
    (CLASS_PATCHES, ["CIO501"], "patch the SDK's client class (tests/test_app.py:6: a patch of "
                                "customerio.CustomerIO.track)"),
    (TRANSPORT_PATCHES, [], "mock the SDK's HTTP (tests/test_app.py:9: a patch of "
                            "customerio.CustomerIO.send_request)"),
])
def test_the_suite_that_passed_before_the_safe_run_passes_after_it(tmp_path, capsys, tests, fixed, left):
    app = make_project(tmp_path, tests)
    assert suite_passes(tmp_path)
    err = fix(app, capsys)
    assert f"fixes: {', '.join(f'{code}x1' for code in fixed) or 'none'};" in err
    assert ("nonblocking(cio).track(" in app.read_text()) == bool(fixed)  # a class patch still sees nonblocking()
    assert "get_client(" not in app.read_text()
    assert f"safe fixes need flake8_cio.runtime and are left as unsafe (--unsafe-fixes): the project's tests {left}" \
        in err
    assert suite_passes(tmp_path)
    err = fix(app, capsys, "--unsafe-fixes")  # what the gate held back: the suite no longer passes
    assert "get_client(" in app.read_text() and "see to it before deploying" in err
    assert not suite_passes(tmp_path)


def test_without_doubles_of_the_sdk_both_fixes_are_safe(tmp_path, capsys):
    app = make_project(tmp_path, "def test_nothing():\n    pass\n")
    err = fix(app, capsys)
    assert "fixes: CIO401x1, CIO501x1;" in err and "left as unsafe" not in err


def gate_of(tmp_path, capsys, tests: str, name="tests/test_app.py") -> str:
    """The safe fixes applied to the project and the summary's reason, with this test module."""
    app = make_project(tmp_path, "")
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(textwrap.dedent(tests))
    err = fix(app, capsys)
    return err[err.index("fixes: "):].split(";")[0] + " | " + \
        " ".join(line.split("the project's tests ")[1].split(" (")[0] for line in err.splitlines() if "left as" in line)


HTTP = "fixes: none | mock the SDK's HTTP"
CLASS = "fixes: CIO501x1 | patch the SDK's client class"
FREE = "fixes: CIO401x1, CIO501x1 | "


@pytest.mark.parametrize("tests, expected", [
    ("import responses\n", HTTP),
    ("from responses import matchers\n", HTTP),
    ("import requests_mock\n", HTTP),
    ("def test_event(requests_mock):\n    pass\n", HTTP),  # the pytest plugin's fixture, imported by nobody
    ("import httpretty\n", HTTP),
    ("import vcr\n", HTTP),
    ("import pytest\n\n@pytest.mark.vcr\ndef test_event():\n    pass\n", HTTP),  # pytest-recording
    ("from betamax import Betamax\n", HTTP),
    ("def test_event(httpserver):\n    pass\n", HTTP),  # pytest-httpserver
    ("from unittest import mock\n\n@mock.patch('requests.Session.request')\ndef test_event(request):\n    pass\n",
     HTTP),
    ("def test_event(mocker):\n    mocker.patch('requests.post')\n", HTTP),
    ("from unittest import mock\nfrom shop import app\n\ndef test_event():\n"
     "    with mock.patch.object(app.cio, 'send_request'):\n        pass\n", HTTP),  # a client's own transport
    ("def test_event(monkeypatch):\n    monkeypatch.setattr('customerio.client_base.ClientBase.send_request', 1)\n",
     HTTP),
    ("from unittest import mock\n\n@mock.patch('customerio.CustomerIO.suppress')\ndef test_event(suppress):\n"
     "    pass\n", CLASS),
    ("from unittest import mock\nfrom customerio import CustomerIO as C\n\ndef test_event():\n"
     "    with mock.patch.object(C, 'suppress'):\n        pass\n", CLASS),
    ("import customerio\n\ndef test_event(monkeypatch):\n"
     "    monkeypatch.setattr(customerio.CustomerIO, 'suppress', lambda *a: None)\n", CLASS),
    ("from unittest import mock\n\n@mock.patch('shop.app.CustomerIO')\ndef test_event(built):\n    pass\n",
     CLASS),  # the module's name for the constructor: get_client() would not call it
    ("from unittest import mock\n\ndef test_event():\n"
     "    with mock.patch.multiple('customerio.CustomerIO', suppress=mock.DEFAULT):\n        pass\n", CLASS),
    # near misses: doubles of the app's client instance (both fixes keep calling it), and no double at all
    ("from unittest import mock\n\n@mock.patch('shop.app.cio')\ndef test_event(cio):\n    pass\n", FREE),
    ("from unittest import mock\nfrom shop import app\n\ndef test_event():\n"
     "    with mock.patch.object(app.cio, 'track'):\n        pass\n", FREE),
    ("# responses, requests_mock and mock.patch('requests.post') are not used here\n'import responses'\n", FREE),
    ("from shop import responses\nfrom . import requests_mock\n", FREE),  # the project's own modules
    ("def test_event(mocker):\n    mocker.patch('shop.payments.requests.post')\n", FREE),  # another module's requests
])
def test_which_doubles_hold_which_fix_back(tmp_path, capsys, tests, expected):
    assert gate_of(tmp_path, capsys, tests) == expected


@pytest.mark.parametrize("name, expected", [
    ("tests/unit/helpers.py", HTTP),  # any module in a tests folder
    ("shop/test_views.py", HTTP),
    ("shop/views_test.py", HTTP),
    ("conftest.py", HTTP),
    ("shop/http.py", FREE),  # application code using responses is not a test double
    (".venv/lib/test_x.py", FREE),  # an environment's files are not the project's tests
])
def test_where_tests_are(tmp_path, capsys, name, expected):
    assert gate_of(tmp_path, capsys, "import responses\n", name) == expected


@pytest.mark.parametrize("requirements, fixes, why", [
    ("flask\ncustomerio==3.2.0\nflake8-cio\n", "CIO401x1, CIO501x1", None),
    # the runtime client takes 3.x calls: on 2.x, track(..., data={...}) sends other event data
    ("flask\ncustomerio==2.4\nflake8-cio\n", "none", "the code targets customerio 2.x, and the runtime client"),
    ("flask\ncustomerio>=2\nflake8-cio\n", "none",  # a pin that does not decide: unknown, no safe rewrite
     "the customerio version the code targets is unknown (its pins do not decide it"),
])
def test_the_runtime_fixes_are_safe_only_on_a_decided_3x_sdk(tmp_path, capsys, requirements, fixes, why):
    app = make_project(tmp_path, "", requirements)
    err = fix(app, capsys)
    assert f"fixes: {fixes};" in err
    assert (f"2 safe fixes need flake8_cio.runtime and are left as unsafe (--unsafe-fixes): {why}" in err) if why \
        else "left as unsafe" not in err


def test_a_pipfile_pin_keeps_cio404_off_a_2x_project(tmp_path, capsys):
    app = tmp_path / "jobs.py"
    source = "from customerio import CustomerIO\ncio = CustomerIO('s', 'k')\n\n\ndef upgrade(uid):\n" \
             "    cio.track(uid, 'plan_upgraded', plan='pro')\n"
    app.write_text(source)
    (tmp_path / "Pipfile").write_text('[packages]\ncustomerio = "==2.4"\n')
    err = fix(app, capsys)
    assert app.read_text() == source and "fixes: none;" in err
