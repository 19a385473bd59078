"""Issue 19: the official SDK is the oracle. For generated calls of its public methods, the real ``customerio``
3.x client (its requests recorded at the transport, nothing sent) and the runtime client (against a loopback
server of this test's own; ``nonblocking(client)`` returns it, see test_dropin) are called alike:

- where the SDK raises, the runtime raises an exception every ``except`` clause for the SDK's catches too;
- where the SDK sends, the runtime raises nothing, and the server receives the same operation, fields and values
  (the v2 batch envelope, the acceptance timestamp and the generated event id aside; v1 fields mapped to their v2
  names as documented: device ``id`` is ``token``, other device keys are its string ``attributes``, identifiers
  are strings, timestamp fields whole seconds);
- except where the published contract says Customer.io refuses what the SDK sends (blank or over-long ids and
  names, a timestamp that is not Unix seconds, a non-ULID event id, a platform other than ios/android): then the
  runtime sends nothing and reports it (on_error), never raises.
"""
import json
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import unquote, urlsplit

import customerio
import pytest
import requests
from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st

from flake8_cio.runtime import get_client
from flake8_cio.runtime.policy import ulid

pytestmark = pytest.mark.timeout(600)

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$")
SECONDS_FIELDS = ("timestamp", "created_at", "_timestamp", "last_used")


class Recorder(requests.adapters.BaseAdapter):
    """The SDK's transport: records each request as sent (method, URL, body bytes) and answers 200."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append((request.method, request.url, request.body))
        response = requests.Response()
        response.status_code, response._content, response.request = 200, b"{}", request
        return response

    def close(self):
        pass


# -- strategies: the SDK's argument domain, with the awkward values users pass -----------------------------------
KEYS = st.text(alphabet="abcdefgh_", min_size=1, max_size=6)
TEXT = st.one_of(st.text(max_size=10), st.sampled_from(["\ud800", "x\udfffy", "café", "a\"b\n"]))
MOMENTS = st.one_of(st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2100, 1, 1)),
                    st.builds(lambda d, h: d.replace(tzinfo=timezone(timedelta(hours=h))),
                              st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
                              st.integers(-12, 12)))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**53, 2**53), st.floats(), TEXT, MOMENTS,
                    st.sampled_from([Decimal("1.5"), date(2024, 1, 1), float("inf")]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
                      max_leaves=6)
IDS = st.one_of(st.text(max_size=12), st.integers(-5, 10**9),
                st.sampled_from([None, "", "  ", "u\ud800", "cio_abc", "bob@example.com", "u 1/x", "x" * 151, 0]))
NAMES = st.one_of(st.text(max_size=12), st.integers(0, 9), st.sampled_from([None, "", "clicked\ud800", "x" * 101]))
TIMESTAMPS = st.one_of(st.none(), st.integers(-10, 2 * 10**11), st.floats(), MOMENTS, st.booleans(),
                       st.sampled_from(["1700000000", "1.5", "2024-01-01", Decimal("1700000000")]))
EVENT_IDS = st.one_of(st.none(), st.builds(ulid), st.builds(lambda: ulid().lower()), st.text(max_size=8))
DATA = st.one_of(st.none(), st.dictionaries(KEYS, VALUES, max_size=4), st.sampled_from([[1], "abc", 5, []]))
ATTRIBUTES = st.dictionaries(st.one_of(KEYS, st.sampled_from(["created_at", "_timestamp", "email"])),
                             st.one_of(VALUES, TIMESTAMPS), max_size=4)
DEVICE_EXTRA = st.dictionaries(st.one_of(KEYS, st.just("last_used")),
                               st.one_of(st.integers(0, 2 * 10**9), st.booleans(), st.text(max_size=6)), max_size=3)
OPS = st.lists(st.fixed_dictionaries({
    "type": st.just("person"), "identifiers": st.fixed_dictionaries({"id": st.text("abc123", min_size=1, max_size=6)}),
    "action": st.sampled_from(["event", "identify", "delete"]), "name": st.text("abcxyz_", min_size=1, max_size=8),
    "attributes": st.dictionaries(KEYS, VALUES, max_size=3)}), max_size=3)


def call(name, *args, **kwargs):
    return (name, args, kwargs)


CALLS = st.one_of(
    st.builds(lambda i, kw: call("identify", i, **kw), IDS, ATTRIBUTES),
    st.builds(lambda i, n, d, e, t: call("track", i, n, d, id=e, timestamp=t), IDS, NAMES, DATA, EVENT_IDS,
              TIMESTAMPS),
    st.builds(lambda i, n, d, e, t: call("track_anonymous", i, n, d, id=e, timestamp=t), IDS, NAMES, DATA,
              EVENT_IDS, TIMESTAMPS),
    st.builds(lambda i, p, kw: call("pageview", i, p, **kw), IDS, NAMES, st.dictionaries(KEYS, VALUES, max_size=3)),
    st.builds(lambda i, n, t, kw: call("backfill", i, n, t, **kw), IDS, NAMES, TIMESTAMPS,
              st.dictionaries(KEYS, VALUES, max_size=2)),
    st.builds(lambda i, d, p, kw: call("add_device", i, d, p, **kw), IDS, IDS,
              st.sampled_from(["ios", "android", "web", "", None]), DEVICE_EXTRA),
    st.builds(lambda i, d: call("delete_device", i, d), IDS, IDS),
    st.builds(lambda m, i: call(m, i), st.sampled_from(["delete", "suppress", "unsuppress"]), IDS),
    st.builds(lambda a, b, c, d: call("merge_customers", a, b, c, d), st.sampled_from(["id", "email", "cio_id", "phone"]),
              IDS, st.sampled_from(["id", "email", "cio_id"]), IDS),
    st.builds(lambda ops: call("batch", ops), OPS),
)


# -- the two sides, in one comparable form: (operation, person, fields) ------------------------------------------
def seconds(value):
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def as_seconds(fields):
    return {k: seconds(v) if k in SECONDS_FIELDS else v for k, v in fields.items()}


def named(fields):
    """v2 names are strings: the runtime str()s a name the SDK sends as given."""
    return {**fields, "name": None if fields["name"] is None else str(fields["name"])}


def v2_device(device):
    """The SDK's v1 device body in v2's shape, as the runtime maps it."""
    device = dict(device)
    out = {"token": str(device.pop("id")), "platform": device.pop("platform")}
    if "last_used" in device:
        out["last_used"] = seconds(device.pop("last_used"))
    extra = device.pop("attributes", None)
    attributes = {**extra, **device} if isinstance(extra, dict) else {**device, **(
        {} if extra is None else {"attributes": extra})}
    if attributes:
        out["attributes"] = {k: v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
                             for k, v in attributes.items()}
    return out


def from_sdk(method, url, body):
    path, data = urlsplit(url).path, json.loads(body) if body else {}
    if path == "/api/v2/batch":
        return [("batch", None, op) for op in data["batch"]]
    if path == "/api/v1/events":
        return [("anonymous", None, named(as_seconds(data)))]
    if path == "/api/v1/merge_customers":
        return [("merge", None, {k: {t: str(v) for t, v in ids.items()} for k, ids in data.items()})]
    who, rest = re.fullmatch(r"/api/v1/customers/([^/]+)(/.*)?", path).groups()
    who, rest = unquote(who), rest or ""
    if rest == "":
        return [("identify", who, as_seconds(data)) if method == "PUT" else ("delete", who, {})]
    if rest == "/events":
        kind = data.pop("type", "event")
        return [(kind, who, named(as_seconds(data)))]
    if rest == "/devices":
        return [("add_device", who, v2_device(data["device"]))]
    if rest.startswith("/devices/"):
        return [("delete_device", who, {"token": unquote(rest[len("/devices/"):])})]
    return [(rest[1:], who, {})]


def from_runtime(path, body):
    data = json.loads(body)
    if path == "/api/v1/events":
        return [("anonymous", None, data)]
    found = []
    for op in data["batch"]:
        (kind, value), = op.get("identifiers", {"-": None}).items()
        who = "cio_" + value if kind == "cio_id" else value
        action = op["action"]
        if action == "identify":
            found.append(("identify", who, op["attributes"]))
        elif action in ("event", "page"):
            fields = {"name": op["name"], "data": op["attributes"], "id": op.get("id"), "timestamp": op["timestamp"]}
            found.append((action, who, fields))
        elif action in ("add_device", "delete_device"):
            found.append((action, who, op["device"]))
        elif action == "merge":
            found.append(("merge", None, {"primary": op["primary"], "secondary": op["secondary"]}))
        else:
            found.append((action, who, {}))
    return found


def refused_by_customerio(sdk_ops):
    """What the published contract (flake8_cio.runtime.testing) says Customer.io refuses of what the SDK sent."""
    for kind, who, fields in sdk_ops:
        ids = [who] if who is not None else []
        if kind == "merge":
            ids = [v for side in fields.values() for v in side.values()]
        if any(not i.strip() or len(i.encode(errors="surrogatepass")) > 150 for i in ids):
            return True
        if kind in ("event", "page", "anonymous"):
            name = fields.get("name")
            if name is None or not str(name).strip() or len(str(name).encode(errors="surrogatepass")) > 100:
                return True
            if "id" in fields and not (isinstance(fields["id"], str) and ULID.match(fields["id"])):
                return True
        if kind == "add_device" and (fields["platform"] not in ("ios", "android") or not fields["token"].strip()):
            return True
        if kind == "delete_device" and not fields["token"].strip():
            return True
        stamped = {**fields, **fields.get("device", {})} if kind != "add_device" else fields
        for key in SECONDS_FIELDS:  # a number in another unit; anything else goes as the SDK sends it
            value = stamped.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not 0 <= value < 10**11:
                return True
    return False


def same_except_clauses(sdk_error, runtime_error):
    return runtime_error is not None and all(
        isinstance(runtime_error, cls) for cls in type(sdk_error).__mro__ if cls not in (object, BaseException,
                                                                                           Exception))


def strip_envelope(runtime_ops, sdk_ops):
    """Drop what the runtime adds (acceptance timestamp, event id) where the SDK sent none."""
    stripped = []
    for (kind, who, fields), (_, _, wanted) in zip(runtime_ops, sdk_ops):
        if kind == "batch" or isinstance(fields, dict):
            fields = {k: v for k, v in fields.items() if k in wanted or k not in ("id", "timestamp")}
        stripped.append((kind, who, fields))
    return stripped


def test_the_runtime_does_what_the_official_sdk_does(loopback, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    server = loopback()
    reported = []
    runtime = get_client("site", "key", track_url=server.url, flush_interval=0.01, shutdown_timeout=10,
                         on_error=lambda reasons, ops: reported.append(reasons))
    sdk = customerio.CustomerIO("site", "key", host=urlsplit(server.url).hostname)
    recorder = Recorder()
    sdk.http.mount("https://", recorder)
    outcomes = {"raised": 0, "sent": 0, "reported": 0}

    @seed(19)
    @settings(max_examples=400, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(CALLS)
    @example(call("identify", "0", created_at=-0.5))  # found by hypothesis 6.155 in CI: what Customer.io reads is 0
    def check(generated):
        name, args, kwargs = generated
        del recorder.sent[:]
        sdk_error = runtime_error = None
        try:
            getattr(sdk, name)(*args, **dict(kwargs))
        except Exception as error:
            sdk_error = error
        requests_before, reports_before = len(server.requests), len(reported)
        try:
            getattr(runtime, name)(*args, **dict(kwargs))
        except Exception as error:
            runtime_error = error
        if sdk_error is not None:
            assert same_except_clauses(sdk_error, runtime_error), (sdk_error, runtime_error)
            outcomes["raised"] += 1
            return
        assert runtime_error is None, runtime_error
        assert runtime.flush(10)
        sdk_ops = [op for request in recorder.sent for op in from_sdk(*request)]
        sent = server.requests[requests_before:]
        if name == "batch":
            runtime_ops = [("batch", None, op) for path, _, body in sent for op in json.loads(body)["batch"]]
        else:
            runtime_ops = [op for path, _, body in sent for op in from_runtime(path, body)]
        if name != "batch" and refused_by_customerio(sdk_ops):
            assert runtime_ops == [] and len(reported) == reports_before + 1, (runtime_ops, reported[-1:])
            outcomes["reported"] += 1
            return
        assert strip_envelope(runtime_ops, sdk_ops) == sdk_ops
        outcomes["sent"] += 1

    check()
    runtime.close(5)
    print("differential outcomes:", outcomes)
    # each kind of outcome explored, not only one; the seed does not fix hypothesis's draws across processes, and a
    # CI run saw 37 "reported" of 400 (about 40 expected): 20 is three standard deviations below that
    assert min(outcomes.values()) >= 20, outcomes
