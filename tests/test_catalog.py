"""The event catalog: parsing errors, the CIO7xx rules with near misses, the runtime's three modes, the generated
typed client checked by mypy, and extraction from a realistic multi-module app."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_cio.fixers.catalog_cli import extract, generate, main as catalog_main, render
from flake8_cio.catalog import CatalogError, load, parse
from flake8_cio.engine import check_source
from flake8_cio.options import OptionError, Options

APP = Path(__file__).parent / "catalog_app"
CATALOG = str(APP / "cio-catalog.toml")


@pytest.mark.parametrize("text, message", [
    ("[events.a]\ndata.x = \"strnig\"\n", ":2: events.a.data.x: unknown type 'strnig'"),
    ("[events.a]\ndata.x = { type = \"string\", required = \"yes\" }\n", ":2: events.a.data.x: required must be true or false"),
    ("[event.a]\n", ":1: event: unknown section"),
    ("[events.a]\nname = \"x\"\n", ":2: name: unknown key in event 'a'"),
    ("[events.a\n", "Expected ']'"),
    ("[attributes]\nplan = 3\n", ":2: attributes.plan: expected a type name"),
])
def test_malformed_catalogs_name_file_line_and_key(text, message):
    with pytest.raises(CatalogError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse(text, "cat.toml")


def test_bad_catalog_option_is_a_clear_error(tmp_path):
    with pytest.raises(OptionError, match="cannot read the catalog"):
        Options.from_values(catalog=str(tmp_path / "missing.toml"))


def lint(source: str, catalog: str | None = CATALOG):
    source = "from customerio import CustomerIO, analytics\ncio = CustomerIO(S, K)\n" + textwrap.dedent(source)
    return [(f.line - 2, f.code) for f in check_source(source, "app.py", Options(catalog=catalog))
            if f.code.startswith("CIO7")]


def test_catalog_rules_and_near_misses():
    found = lint("""
        cio.track(u, "order_complete", {"order_id": "1"})
        cio.track(u, "order_completed", {"order_id": "1", "totl": 3})
        cio.track(u, "order_completed", data={"total": 3})
        cio.identify(u, plan="pro", frist_name="Ann")
        cio.identify(u, seats="3", created_at="yesterday")
        analytics.track(u, "Order Complete", {"order_id": "1"})
        cio.track(u, "order_completed", {"order_id": "1", "total": 12.5, "coupon": "X"})
        cio.track(u, "order_completed", data=payload)
        cio.track(u, name_from_elsewhere)
        cio.identify(u, email=user.email, seats=3, created_at=1700000000)
        cio.track(u, "signed_up")
        mixpanel.track(u, "not_in_catalog")
        analytics.track(u, "Order Completed", {"order_id": "1"})
        analytics.track(u, "User Deleted")
        analytics.track(u, "Device Created or Updated", {"device_id": "d1"})
        cio.track(u, "User Deleted")
    """)
    assert found == [(2, "CIO701"), (3, "CIO702"), (4, "CIO703"), (5, "CIO704"), (6, "CIO705"), (6, "CIO705"),
                     (7, "CIO701"), (17, "CIO701")]  # a Pipelines semantic event is Customer.io's; on Track, just a name


def test_a_travelled_name_is_reported_at_the_call_naming_where_it_is_computed():
    source = ("from customerio import CustomerIO\ncio = CustomerIO(S, K)\n\n\ndef refund(u):\n"
              "    name = 'order_refundd'\n    cio.track(u, name)\n    cio.track(u, 'signed_up')\n")
    found = check_source(source, "app.py", Options(catalog=CATALOG))
    assert [(f.line, f.col, f.code) for f in found] == [(7, 17, "CIO701")]
    assert "(`name` is computed at line 6)" in found[0].message


def test_did_you_mean():
    source = "from customerio import CustomerIO\ncio = CustomerIO(S, K)\ncio.track(u, 'OrderCompleted')\n"
    message = check_source(source, "app.py", Options(catalog=CATALOG))[-1].message
    assert "did you mean 'order_completed'?" in message


def test_silent_without_a_catalog(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert lint('cio.track(u, "anything_at_all", {"x": 1})\n', catalog=None) == []


def test_default_catalog_file_in_the_working_directory(monkeypatch):
    monkeypatch.chdir(APP)
    assert lint('cio.track(u, "order_complete")\n', catalog=None) == [(1, "CIO701")]


@pytest.mark.timeout(300)
def test_generated_client_is_checked_by_mypy(tmp_path):
    (tmp_path / "cio_events.py").write_text(generate(load(CATALOG)))
    (tmp_path / "good.py").write_text(textwrap.dedent("""
        from cio_events import TypedClient
        def send(client: TypedClient) -> None:
            client.track("u1", "order_completed", {"order_id": "1", "total": 2.5})
            client.track("u1", "signed_up")
    """))
    (tmp_path / "bad.py").write_text(textwrap.dedent("""
        from cio_events import TypedClient
        def send(client: TypedClient) -> None:
            client.track("u1", "order_complete", {"order_id": "1"})
            client.track("u1", "order_completed", {"order_id": "1", "totl": 2})
            client.track("u1", "order_completed", {"total": 2})
    """))
    command = [sys.executable, "-m", "mypy", "--no-incremental", "--ignore-missing-imports", "--strict",
               "--follow-imports=silent"]
    good = subprocess.run([*command, "good.py", "cio_events.py"], cwd=tmp_path, capture_output=True, text=True)
    assert good.returncode == 0, good.stdout
    bad = subprocess.run([*command, "bad.py"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 1
    errors = [line for line in bad.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["4", "5", "6"], bad.stdout


EXPECTED_EXTRACT = """\
# Event catalog extracted by `cio-catalog extract`: review it, merge the near-duplicates it flags,
# mark required data, then point the linter and the runtime at it (option cio-catalog).

# 1 use, first at shop/orders.py:8
# NEAR-DUPLICATE of order-completed, order_completed: merge them
[events.OrderCompleted]
data.order_id = "any"  # 1 uses

# 1 use, first at shop/orders.py:13
# NEAR-DUPLICATE of OrderCompleted, order_completed: merge them
[events.order-completed]
data.refund = "boolean"  # 1 uses

# 1 use, first at shop/orders.py:7
# NEAR-DUPLICATE of OrderCompleted, order-completed: merge them
[events.order_completed]
data.order_id = "any"  # 1 uses
data.total = "number"  # 1 uses

# 1 use, first at shop/accounts.py:11
[events.plan_changed]
data.plan = "string"  # 1 uses

# 1 use, first at shop/accounts.py:6
[events.signed_up]

# 1 use, first at shop/orders.py:9
[pipelines.events."Order Completed"]
data.order_id = "any"  # 1 uses

[attributes]
created_at = "number"  # 1 uses, first at shop/accounts.py:5
email = "any"  # 1 uses, first at shop/accounts.py:5
frist_name = "any"  # 1 uses, first at shop/accounts.py:10
plan = "string"  # 2 uses, first at shop/accounts.py:5
seats = "any"  # 1 uses, first at shop/accounts.py:10
"""


def test_extract_a_realistic_app(monkeypatch):
    monkeypatch.chdir(APP)
    assert render(*extract(["shop"])) == EXPECTED_EXTRACT
    parse(EXPECTED_EXTRACT)  # what it writes is a valid catalog


def test_cli_errors_are_clear(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text("[events.a]\ndata.x = 'nope'\n")
    assert catalog_main(["generate", "--catalog", str(tmp_path / "bad.toml")]) == 2
    assert "bad.toml:2: events.a.data.x: unknown type 'nope'" in capsys.readouterr().err


def test_event_data_a_wrapper_writes_itself_is_not_missing_at_its_callers(tmp_path):
    """A wrapper that fills the event data (track(cid, name, {"order_id": ...})) sends what the catalog requires:
    its callers are not told the data is missing, one wrapper deep or two; a wrapper passing its caller's data on
    still is."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "w"\ndependencies = ["customerio==3.2.0"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "wrappers.py").write_text(
        "from customerio import CustomerIO\ncio = CustomerIO(S, K)\n\n\n"
        "def track_event(customer_id, name, data=None):\n    cio.track(customer_id, name, data)\n\n\n"
        "def track_order(customer_id, name, order):\n    track_event(customer_id, name, {'order_id': order.id})\n\n\n"
        "def one_hop(customer_id, name, order):\n    cio.track(customer_id, name, {'order_id': order.id})\n")
    use = tmp_path / "app" / "use.py"
    use.write_text("from app.wrappers import one_hop, track_event, track_order\n\n\ndef paid(u, order):\n"
                   "    track_order(u.id, 'order_completed', order)\n    one_hop(u.id, 'order_completed', order)\n"
                   "    track_event(u.id, 'order_completed', {'total': 3})\n")
    found = check_source(use.read_text(), str(use), Options(catalog=CATALOG, cache_dir=str(tmp_path / "cache")))
    assert [(f.line, f.code) for f in found if f.code.startswith("CIO7")] == [(7, "CIO703")]


def test_a_malformed_catalog_found_beside_the_run_is_a_clear_error(tmp_path):
    """Not named by an option, found as ./cio-catalog.toml: the same clear error as a named one, before any file
    is checked (it was an internal error on each file)."""
    (tmp_path / "cio-catalog.toml").write_text('[events.order_completed]\nrequired = ["order_id"]\n')
    (tmp_path / "app.py").write_text("from customerio import CustomerIO\ncio = CustomerIO(S, K)\ncio.track('1', 'x')\n")
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "CIO", "app.py"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("flake8-cio: cio-catalog.toml:2: required: unknown key in event")
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "other.py").write_text((tmp_path / "app.py").read_text())
    for args in ([], ["--report", "json"]):  # cio-fix too: one early error, not one per file it could not fix
        fixed = subprocess.run([sys.executable, "-m", "flake8_cio", "fix", *args, "."], cwd=tmp_path,
                               capture_output=True, text=True)
        assert fixed.returncode == 2 and fixed.stdout == ""
        assert fixed.stderr == "cio-fix: error: cio-catalog.toml:2: required: unknown key in event 'order_completed'; " \
            "expected description, data\n"


def test_names_composed_of_constants_are_checked_against_the_catalog(tmp_path):
    """An f-string or `+` whose every part is a constant, of this module or another (`f"{PREFIX}_completed"`), is
    a fixed name: its data is checked as a literal name's is. Near misses: a placeholder known only at run time, a
    format spec or conversion (they change the text), a parameter shadowing the constant."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "w"\ndependencies = ["customerio==3.2.0"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "events.py").write_text(
        'PREFIX = "order"\nORDER_COMPLETED = f"{PREFIX}_completed"\nSIGNED = "signed" + "_up"\n'
        'ORDER_COMPLETE = PREFIX + "_complete"\nNUMBERED = f"{PREFIX:>8}_completed"\n')
    use = tmp_path / "app" / "use.py"
    use.write_text(
        "from customerio import CustomerIO\nfrom app import events\nfrom app.events import ORDER_COMPLETED, PREFIX\n"
        "cio = CustomerIO(S, K)\nLOCAL = f'{PREFIX}_completed'\n\n\n"
        "def paid(u, kind):\n"
        "    cio.track(u, events.ORDER_COMPLETED, {'order_id': '1', 'totl': 3})\n"  # 9: CIO702
        "    cio.track(u, ORDER_COMPLETED, {'total': 3})\n"  # 10: CIO703
        "    cio.track(u, LOCAL, {'order_id': '1', 'coupn': 'X'})\n"  # 11: CIO702
        "    cio.track(u, events.SIGNED)\n"
        "    cio.track(u, events.ORDER_COMPLETE)\n"  # 13: CIO701
        "    cio.track(u, f'{kind}_completed', {'order_id': '1', 'totl': 3})\n"
        "    cio.track(u, events.NUMBERED, {'order_id': '1', 'totl': 3})\n"
        "    cio.track(u, f'{PREFIX!r}_completed', {'order_id': '1', 'totl': 3})\n\n\n"
        "def shadowed(u, PREFIX):\n    cio.track(u, f'{PREFIX}_completed', {'order_id': '1', 'totl': 3})\n")
    found = check_source(use.read_text(), str(use), Options(catalog=CATALOG, cache_dir=str(tmp_path / "cache")))
    assert [(f.line, f.code) for f in found if f.code.startswith("CIO7")] == \
        [(9, "CIO702"), (10, "CIO703"), (11, "CIO702"), (13, "CIO701")]
