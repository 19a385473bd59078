"""Safe fixes keep what a program does, proven by running it: each program under tests/fix_safety/ runs before and
after `cio-fix` (safe fixes only) against a fake Customer.io over HTTPS, with the real `customerio` SDK, and what
it returns or raises and what the server received must be the same (apart from the reported bug, which the header
names: `# compare: seconds` reads millisecond timestamps as the seconds they meant; `# before: sdk2` runs the
program before the fix on customerio 2.x's track(); `# before: intended-region` on regions passed as meant;
`# sdk-major: 2` lints it as code for that major)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_cio.fixers.transform import fix_source
from flake8_cio.options import Options
from flake8_cio.runtime.testing import FakeCustomerIO

NOW = 1700000000  # the clock the programs run on
CASES = sorted(p for p in (Path(__file__).parent / "fix_safety").glob("*.py") if not p.name.startswith("unsafe_"))
# Programs showing why a fix is unsafe: running them after the fix (--unsafe-fixes) changes what they do. When one
# stops doing so (the runtime was fixed), the fix may become safe: this test fails to say so.
UNSAFE_CASES = sorted((Path(__file__).parent / "fix_safety").glob("unsafe_*.py"))

# Runs a case in a fresh interpreter: a fixed clock (TZ=UTC), the SDK's clients pointed at the fake server, the
# before-run shims the case asks for; prints what main() returned or raised. The runtime client delivers at exit.
RUNNER = r"""
import datetime as _dt, json, os, runpy, sys, time
import customerio, flake8_cio.runtime  # before the clock is frozen: their isinstance checks see real datetimes
from customerio import api, track
time.time = lambda: 1700000000.25
time.time_ns = lambda: 1700000000250000000
class _Frozen(_dt.datetime):
    @classmethod
    def now(cls, tz=None):  # 2023-11-14 22:13:20.25 UTC; naive is UTC too (TZ=UTC)
        return cls(2023, 11, 14, 22, 13, 20, 250000, tzinfo=tz and _dt.timezone.utc)
_dt.datetime = _Frozen
port, shims = int(os.environ["FAKE_PORT"]), os.environ["SHIMS"].split()
_track_init, _api_init = track.CustomerIO.__init__, api.APIClient.__init__
def _track(self, site_id=None, api_key=None, host=None, region=customerio.Regions.US, **kw):
    if "intended-region" in shims and isinstance(host, customerio.regions.Region):
        host, region = None, host
    if region is customerio.Regions.US and host is None:
        host, kw["port"] = "127.0.0.1", port
    _track_init(self, site_id, api_key, host=host, region=region, **kw)
def _api(self, key, url=None, region=customerio.Regions.US, **kw):
    if "intended-region" in shims and isinstance(region, str):
        region = {"eu": customerio.Regions.EU, "us": customerio.Regions.US}[region]
    if region is customerio.Regions.US and url is None:
        url = f"https://127.0.0.1:{port}"
    _api_init(self, key, url=url, region=region, **kw)
track.CustomerIO.__init__, api.APIClient.__init__ = _track, _api
if "sdk2" in shims:  # customerio 2.x: track(customer_id, name, **data)
    _send = track.CustomerIO.track
    track.CustomerIO.track = lambda self, customer_id, name, **data: _send(self, customer_id, name, data=data)
namespace = runpy.run_path(sys.argv[1], run_name="case")
try:
    outcome = {"returned": namespace["main"]()}
except Exception as error:
    outcome = {"raised": type(error).__name__}
print(json.dumps(outcome, default=repr))
"""


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    trustme = pytest.importorskip("trustme")
    import ssl

    folder = tmp_path_factory.mktemp("ca")
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    server = FakeCustomerIO(tls=context)
    server.ca_file = str(folder / "ca.pem")
    yield server
    server.stop()


def header(source: str, key: str) -> list[str]:
    return [word for line in source.splitlines() if line.startswith(f"# {key}:")
            for word in line.split(":", 1)[1].split()]


def observe(program: Path, fake: FakeCustomerIO, shims: list[str]) -> dict:
    with fake.lock:
        fake.profiles.clear(), fake.events.clear(), fake.actions.clear(), fake.messages.clear()
    env = {**os.environ, "FAKE_PORT": str(fake.port), "SHIMS": " ".join(shims), "TZ": "UTC",
           "REQUESTS_CA_BUNDLE": fake.ca_file, "SSL_CERT_FILE": fake.ca_file, "CUSTOMERIO_SPOOL": "none",
           "CUSTOMERIO_TRACK_URL": fake.url, "CUSTOMERIO_APP_URL": fake.url}
    run = subprocess.run([sys.executable, "-c", RUNNER, str(program)], capture_output=True, text=True, env=env,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    with fake.lock:  # no timestamp means "when received": the fixed clock's second (the runtime stamps it)
        events = sorted(({**{k: v for k, v in e.items() if k != "id"}, "timestamp": e["timestamp"] or NOW}
                         for e in fake.events), key=json.dumps)
        received = {"profiles": {str(k): v for k, v in fake.profiles.items()}, "events": events,
                    "actions": sorted(map(repr, fake.actions)), "messages": list(fake.messages)}
    return {**json.loads(run.stdout.splitlines()[-1]), "received": received}


def as_seconds(value):
    """Numbers that are epoch times, in whole seconds whatever their unit (the CIO101 bug is the unit)."""
    if isinstance(value, dict):
        return {k: as_seconds(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_seconds(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 10**9:
        while value >= 10**11:
            value /= 1000
        return int(value)
    return value


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_safe_fix_keeps_what_the_program_does(case, fake, tmp_path):
    source = case.read_text()
    fixed = fix_source(source, case.name, Options())
    assert sorted(f.code for f in fixed.applied) == sorted(header(source, "fixes"))
    after = tmp_path / case.name
    after.write_text(fixed.source)
    before_seen = observe(case, fake, header(source, "before"))
    after_seen = observe(after, fake, [])
    if "seconds" in header(source, "compare"):
        before_seen["received"], after_seen["received"] = as_seconds(before_seen["received"]), \
            as_seconds(after_seen["received"])
    assert after_seen == before_seen
    assert "raised" not in before_seen, "a case must show a working program, not one failing before and after"


@pytest.mark.parametrize("case", UNSAFE_CASES, ids=lambda p: p.stem)
def test_unsafe_fix_is_unsafe_for_a_reason(case, fake, tmp_path):
    source = case.read_text()
    options = Options(sdk_major=int(header(source, "sdk-major")[0])) if header(source, "sdk-major") else Options()
    assert fix_source(source, case.name, options).applied == []
    fixed = fix_source(source, case.name, options, unsafe=True)
    assert sorted(f.code for f in fixed.applied) == sorted(header(source, "fixes"))
    after = tmp_path / case.name
    after.write_text(fixed.source)
    assert observe_failing(after, fake, header(source, "fake-fails")) != \
        observe_failing(case, fake, header(source, "fake-fails"), header(source, "before"))


def observe_failing(program: Path, fake: FakeCustomerIO, status: list[str], shims: list[str] = ()) -> dict:
    """What a program does while the API answers ``status`` to every request (none: while it accepts them)."""
    if status:
        fake.fail(int(status[0]), times=None)
    try:
        return observe(program, fake, list(shims))
    finally:
        with fake.lock:
            fake.faults.clear()
