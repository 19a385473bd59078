"""A fake Customer.io for tests: a real HTTP(S) server on 127.0.0.1 speaking Track v1, Track v2 batch/entity, the
App API's send endpoints and the Data Pipelines API. It holds every request to the published contract (the JSON
Schemas below, written from Customer.io's API reference: envelopes, required fields and types, per-action shapes,
size limits), answers as the real API does, keeps the people, events and messages it accepted, and injects faults.

A request that breaks the contract is answered as Customer.io would (400 with ``{"meta":{"error": ...}}``, a 207
item error by ``batch_index``, or Pipelines' 200-and-drop without ``X-Strict-Mode: 1``) *and* recorded in
``fake.violations``. The ``fake_customerio`` fixture fails the test at teardown listing them; a test that sends bad
requests on purpose takes them with ``fake.take_violations()``. Use it for your own code too::

    pytest_plugins = ["flake8_cio.runtime.testing"]      # gives the `fake_customerio` fixture

    def test_signup(fake_customerio, monkeypatch):
        monkeypatch.setenv("CUSTOMERIO_TRACK_URL", fake_customerio.url)
        ...
        assert fake_customerio.events_named("signed_up")

Outside pytest, ``with FakeCustomerIO() as fake:`` stops the server and raises the same way on exit.
"""
from __future__ import annotations

import base64
import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator, NamedTuple, Sequence
from urllib.parse import unquote

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators  # type: ignore[import-untyped]

SITE_ID, API_KEY, APP_KEY, WRITE_KEY = "test-site", "test-track-key", "test-app-key", "test-write-key"
Schema = dict[str, Any]
Problems = list[tuple[str, str]]
Answer = tuple[int, dict[str, str], bytes]

# -- the published contract (docs.customer.io API reference), as data ------------------------------------------------

MAX_ID_BYTES, MAX_NAME_BYTES, MAX_VALUE_BYTES, MAX_ATTRIBUTES = 150, 150, 1000, 300
MAX_EVENT_NAME_BYTES, MAX_EVENT_DATA_BYTES, MAX_OPERATION_BYTES, MAX_REQUEST_BYTES = 100, 100_000, 32_000, 500_000

TEXT = {"type": "string", "pattern": r"\S", "description": "a non-blank string"}
ID = {**TEXT, "maxBytes": MAX_ID_BYTES}
SECONDS = {"type": "integer", "minimum": 0, "maximum": 10**11 - 1, "description": "Unix seconds, not milliseconds"}
ULID = {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$", "description": "a ULID"}
BOOL = {"type": "boolean"}
OBJECT = {"type": "object"}
PLATFORM = {"enum": ["ios", "android"]}


def one_of_keys(*keys: str) -> Schema:
    return {"type": "object", "minProperties": 1, "maxProperties": 1, "propertyNames": {"enum": list(keys)},
            "additionalProperties": ID, "description": "exactly one of " + ", ".join(keys)}


PERSON_IDS = one_of_keys("id", "email", "phone", "cio_id")  # Track v2
V1_IDS = one_of_keys("id", "email", "cio_id")  # v1 merge_customers and the App API's identifiers
OBJECT_IDS = {"type": "object", "required": ["object_type_id", "object_id"],
              "properties": {"object_type_id": {"type": ["string", "integer"]}, "object_id": ID}}
PROFILE = {"type": "object", "maxProperties": MAX_ATTRIBUTES, "propertyNames": {"maxBytes": MAX_NAME_BYTES},
           "additionalProperties": {"maxBytes": MAX_VALUE_BYTES},
           "properties": {"created_at": SECONDS, "_timestamp": SECONDS, "_update": BOOL, "unsubscribed": BOOL}}
EVENT_NAME = {**TEXT, "maxBytes": MAX_EVENT_NAME_BYTES}
EVENT_DATA = {"type": "object", "maxBytes": MAX_EVENT_DATA_BYTES}
RELATIONSHIPS = {"type": "array", "items": {
    "type": "object", "required": ["identifiers"],
    "properties": {"identifiers": OBJECT_IDS, "relationship_attributes": OBJECT}}}
EVENT: dict[str, Schema] = {"name": EVENT_NAME, "id": ULID, "timestamp": SECONDS, "attributes": EVENT_DATA}


def operation(kind: str, identifiers: Schema | None, required: Sequence[str] = (), **fields: Schema) -> Schema:
    """A Track v2 operation: its envelope plus the action's own fields, nothing else."""
    envelope = {"type": {"const": kind}, "action": {}, **({"identifiers": identifiers} if identifiers else {})}
    return {"type": "object", "required": ["type", "action", *(["identifiers"] if identifiers else []), *required],
            "properties": {**envelope, **fields}, "additionalProperties": False}


V2_ACTIONS = {
    "person": {
        "identify": operation("person", PERSON_IDS, attributes=PROFILE, timestamp=SECONDS,
                              cio_relationships=RELATIONSHIPS),
        **{action: operation("person", PERSON_IDS, ["name"], **EVENT) for action in ("event", "page", "screen")},
        **{action: operation("person", PERSON_IDS) for action in ("delete", "suppress", "unsuppress")},
        "add_device": operation("person", PERSON_IDS, ["device"], device={
            "type": "object", "required": ["token", "platform"], "additionalProperties": False,
            "properties": {"token": TEXT, "platform": PLATFORM, "last_used": SECONDS,
                           "attributes": {"type": "object", "additionalProperties": {"type": "string"}}}}),
        "delete_device": operation("person", PERSON_IDS, ["device"], device={
            "type": "object", "required": ["token"], "properties": {"token": TEXT}, "additionalProperties": False}),
        **{action: operation("person", PERSON_IDS, ["cio_relationships"], cio_relationships=RELATIONSHIPS)
           for action in ("add_relationships", "delete_relationships")},
        "merge": operation("person", None, ["primary", "secondary"], primary=PERSON_IDS, secondary=PERSON_IDS),
    },
    "object": {
        "identify": operation("object", OBJECT_IDS, attributes={"type": "object", "maxBytes": 100_000},
                              cio_relationships=RELATIONSHIPS),
        "identify_anonymous": operation("object", {"type": "object", "required": ["object_type_id"]},
                                        attributes={"type": "object", "maxBytes": 100_000},
                                        cio_relationships=RELATIONSHIPS),
        "delete": operation("object", OBJECT_IDS),
        **{action: operation("object", OBJECT_IDS, ["cio_relationships"], cio_relationships=RELATIONSHIPS)
           for action in ("add_relationships", "delete_relationships")},
    },
}
V2_BATCH = {"type": "object", "required": ["batch"], "properties": {"batch": {"type": "array", "minItems": 1}}}

V1_EVENT_FIELDS = {"name": EVENT_NAME, "data": EVENT_DATA, "id": ULID, "timestamp": SECONDS,
                   "type": {"enum": ["event", "page", "screen"]}}
#: Track v1: (method, path pattern, body schema); the path's identifier is checked against ID
V1_ROUTES = [
    ("PUT", r"/api/v1/customers/[^/]+", PROFILE),
    ("DELETE", r"/api/v1/customers/[^/]+", None),
    ("POST", r"/api/v1/customers/[^/]+/events",
     {"type": "object", "required": ["name"], "properties": V1_EVENT_FIELDS, "additionalProperties": False}),
    ("POST", r"/api/v1/events",
     {"type": "object", "required": ["name"], "additionalProperties": False,
      "properties": {**V1_EVENT_FIELDS, "anonymous_id": TEXT},
      "if": {"required": ["type"], "properties": {"type": {"enum": ["page", "screen"]}}},
      "then": {"required": ["anonymous_id"]}}),
    ("PUT", r"/api/v1/customers/[^/]+/devices",  # the official SDK puts device attributes beside id and platform
     {"type": "object", "required": ["device"], "additionalProperties": False, "properties": {"device": {
         "type": "object", "required": ["id", "platform"],
         "properties": {"id": TEXT, "platform": PLATFORM, "last_used": SECONDS}}}}),
    ("DELETE", r"/api/v1/customers/[^/]+/devices/[^/]+", None),
    ("POST", r"/api/v1/customers/[^/]+/(?:suppress|unsuppress)", None),
    ("GET", r"/api/v1/accounts/region", None),
    ("POST", r"/api/v1/merge_customers",
     {"type": "object", "required": ["primary", "secondary"], "additionalProperties": False,
      "properties": {"primary": V1_IDS, "secondary": V1_IDS}}),
]

APP_COMMON = {"transactional_message_id": {"type": ["integer", "string"], "pattern": r"\S"},
              "identifiers": V1_IDS, "message_data": OBJECT, "send_at": SECONDS,
              "disable_message_retention": BOOL, "queue_draft": BOOL, "language": {"type": "string"}}
#: App API: POST /v1/send/{kind}
APP_SEND: dict[str, Schema] = {
    "email": {"type": "object", "required": ["identifiers", "to"],
              "properties": {**APP_COMMON, "to": TEXT, "from": TEXT, "subject": TEXT, "body": TEXT,
                             "headers": OBJECT, "attachments": OBJECT},
              "allOf": [{"anyOf": [{"required": ["transactional_message_id"]},
                                   {"required": ["body", "subject", "from"]}],
                         "description": "a template's transactional_message_id, or body, subject and from"}]},
    **{kind: {"type": "object", "required": ["transactional_message_id", "identifiers"], "properties": APP_COMMON}
       for kind in ("push", "sms", "whatsapp", "inbox_message", "in_app")},
}

DEVICE_EVENTS = ("Device Created or Updated", "Device Deleted")


def pipelines_message(kind: str, required: Sequence[str] = (), **fields: Schema) -> Schema:
    """A Data Pipelines message: a user (userId or anonymousId), ISO-8601 timestamps, devices in context.device."""
    return {
        "type": "object", "required": ["type", *required], "maxBytes": MAX_OPERATION_BYTES,
        "properties": {"type": {"const": kind}, "userId": TEXT, "anonymousId": TEXT, "messageId": TEXT,
                       "timestamp": {"type": "string", "format": "date-time"}, "context": OBJECT,
                       "integrations": OBJECT, "traits": OBJECT, "properties": OBJECT, **fields},
        "allOf": [{"anyOf": [{"required": ["userId"]}, {"required": ["anonymousId"]}],
                   "description": "a userId or an anonymousId"},
                  {"if": {"required": ["event"], "properties": {"event": {"enum": list(DEVICE_EVENTS)}}},
                   "then": {"required": ["context"], "properties": {"context": {
                       "required": ["device"], "properties": {"device": {
                           "type": "object", "required": ["token"], "properties": {"token": TEXT, "type": PLATFORM},
                           "description": "a device event's token (and type) go in context.device"}}}}}},
                  {"if": {"required": ["event"], "properties": {"event": {"const": DEVICE_EVENTS[0]}}},
                   "then": {"properties": {"context": {"properties": {"device": {"required": ["type"]}}}}}}],
    }


PIPELINES = {
    "identify": pipelines_message("identify"),
    "track": pipelines_message("track", ["event"], event=TEXT),
    "page": pipelines_message("page", name={"type": "string"}, category={"type": "string"}),
    "screen": pipelines_message("screen", name={"type": "string"}, category={"type": "string"}),
    "group": pipelines_message("group", ["groupId"], groupId=TEXT),
    "alias": pipelines_message("alias", ["userId", "previousId"], previousId=TEXT),
}
PIPELINES_BATCH = {"type": "object", "required": ["batch"], "properties": {
    "batch": {"type": "array"}, "context": OBJECT, "integrations": OBJECT,
    "sentAt": {"type": "string", "format": "date-time"}}}


def _byte_size(value: object) -> int:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return len(text.encode())


def _max_bytes(validator: object, limit: int, instance: object, schema: Schema) -> Iterator[Any]:
    size = _byte_size(instance)
    if size > limit:
        yield ValidationError(f"is {size} bytes, over the limit of {limit}")


_FORMATS = FormatChecker(formats=())


def _iso8601(value: object) -> bool:
    return not isinstance(value, str) or ("T" in value and bool(datetime.fromisoformat(value.replace("Z", "+00:00"))))


_FORMATS.checks("date-time", raises=ValueError)(_iso8601)


_Validator = validators.extend(Draft202012Validator, {"maxBytes": _max_bytes})
_compiled: dict[int, Any] = {}  # validators by schema id: the schemas are module constants


def problems(schema: Schema, value: object) -> Problems:
    """(field, message) for each way `value` breaks `schema`, in field order."""
    validator = _compiled.get(id(schema))
    if validator is None:
        validator = _compiled[id(schema)] = _Validator(schema, format_checker=_FORMATS)
    found = []
    for error in validator.iter_errors(value):
        note = error.schema.get("description") if isinstance(error.schema, dict) else None
        if error.validator == "anyOf" and note:
            message = f"needs {note}"
        else:
            message = error.message if not note or note in error.message else f"{error.message} ({note})"
        if len(message) > 300:  # the start of a message can be a long repr of the value
            message = message[:150] + " ... " + message[-140:]
        found.append((".".join(map(str, error.absolute_path)), message))
    return sorted(found)


def operation_problems(op: object) -> Problems:
    """A Track v2 operation against its type's and action's schema (size limit first)."""
    if not isinstance(op, dict):
        return [("", "an operation must be an object")]
    if _byte_size(op) > MAX_OPERATION_BYTES:
        return [("", f"operation is {_byte_size(op)} bytes, over the limit of {MAX_OPERATION_BYTES}")]
    if op.get("type") == "delivery":  # documented to exist; its fields are not in the published reference
        return []
    actions = V2_ACTIONS.get(str(op.get("type")))
    if actions is None:
        return [("type", f"{op.get('type')!r} is not one of person, object, delivery")]
    if op.get("action") not in actions:
        return [("action", f"{op.get('action')!r} is not a {op['type']} action: {', '.join(actions)}")]
    return problems(actions[op["action"]], op)


def _said(found: Problems) -> str:
    return "; ".join(f"{where}: {message}" if where else message for where, message in found)


# -- the server -------------------------------------------------------------------------------------------------------

class Request(NamedTuple):
    at: float  # time.monotonic()
    method: str
    path: str
    status: int
    size: int
    headers: dict[str, str]


class ContractViolation(AssertionError):
    """Requests that Customer.io's published contract does not allow."""


@dataclass
class Violation:
    method: str
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.problem}"


@dataclass
class Fault:
    status: int = 500  # 0: no answer of its own; the request is served normally after `delay`
    times: int | None = 1  # None: every matching request
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"meta":{"error":"injected"}}'
    delay: float = 0.0  # sleep before answering (a read timeout when longer than the client's timeout)
    path: str = ""  # only requests whose path starts with this
    location: str = ""  # a redirect's target origin: Location is this plus the request's path
    drop: bool = False  # answer as if accepted, keep nothing


class FakeCustomerIO:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None,
                 site_id: str = SITE_ID, api_key: str = API_KEY, app_key: str = APP_KEY):
        self.site_id, self.api_key, self.app_key, self.write_key = site_id, api_key, app_key, WRITE_KEY
        self.region = "us"  # what GET /api/v1/accounts/region answers
        self.lock = threading.Lock()
        self.faults: list[Fault] = []
        self.max_body: int | None = None  # set it to inject 413s below the documented limit
        self.rate_limit: float | None = None  # requests per second, beyond which 429
        self.item_errors: Callable[[dict[str, Any]], str | None] | None = None  # injected 207 per-item errors
        self.profiles: dict[Any, dict[str, Any]] = {}  # by (identifier type, value)
        self.events: list[dict[str, Any]] = []
        self.actions: list[tuple[Any, ...]] = []  # (action, identifier, extra): delete/suppress/devices/merge/objects
        self.messages: list[dict[str, Any]] = []  # transactional sends
        self.pipelines: list[dict[str, Any]] = []  # Data Pipelines messages accepted
        self.pipelines_dropped: list[dict[str, Any]] = []  # ... and those dropped with a 200 (no X-Strict-Mode)
        self.requests: list[Request] = []
        self.violations: list[Violation] = []
        self._window: list[float] = []
        self.tls = tls
        self.server = self._listen(host, port)
        self.host, self.port = str(self.server.server_address[0]), int(self.server.server_address[1])

    def _listen(self, host: str, port: int) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((host, port), _handler(self))
        server.daemon_threads = True
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return server

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def restart(self) -> None:
        """Listen again on the same port (after `stop`, to simulate an outage and recovery)."""
        self.server = self._listen(self.host, self.port)

    def __enter__(self) -> "FakeCustomerIO":
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.stop()
        if kind is None:
            self.check()

    # -- faults ------------------------------------------------------------------------------------------------------
    def fail(self, status: int = 500, times: int | None = 1, **kwargs: Any) -> None:
        """Answer `status` (e.g. 503, or 522 from the proxy in front of the API) to the next `times` requests."""
        with self.lock:
            self.faults.append(Fault(status, times, **kwargs))

    def redirect(self, location: str, status: int = 301, times: int | None = None, path: str = "") -> None:
        """Redirect to `location` (an origin such as another fake's url), as Customer.io does for a wrong region."""
        self.fail(status, times, path=path, location=location.rstrip("/"), body=b"")

    def hang(self, seconds: float, times: int | None = 1, path: str = "") -> None:
        """Serve the request only after `seconds`: past the client's timeout it is accepted after it gave up."""
        self.fail(0, times, path=path, delay=seconds)

    def throttle(self, retry_after: str = "1", times: int | None = 1, path: str = "") -> None:
        self.fail(429, times, path=path, headers={"Retry-After": retry_after},
                  body=b'{"meta":{"error":"rate limit exceeded"}}')

    def drop(self, times: int | None = 1, path: str = "") -> None:
        """Answer as if accepted, then keep nothing (the request is still checked against the contract)."""
        self.fail(0, times, path=path, drop=True)

    # -- what was received -------------------------------------------------------------------------------------------
    def events_named(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [e for e in self.events if e["name"] == name]

    def unique_events(self) -> list[dict[str, Any]]:
        """Events de-duplicated by id, as Customer.io does."""
        seen, unique = set(), []
        with self.lock:
            for event in self.events:
                if event.get("id") is None or event["id"] not in seen:
                    seen.add(event.get("id"))
                    unique.append(event)
        return unique

    def request_count(self, prefix: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path.startswith(prefix))

    def take_violations(self) -> list[Violation]:
        """The contract violations so far, forgotten here (for tests that send bad requests on purpose)."""
        with self.lock:
            taken, self.violations = self.violations, []
        return taken

    def check(self) -> None:
        """Raise ContractViolation listing every request that broke the published contract."""
        found = self.take_violations()
        if found:
            raise ContractViolation(f"{len(found)} request(s) to the fake Customer.io broke the published API "
                                    "contract:\n" + "\n".join(f"  {v}" for v in found))

    # -- the API -----------------------------------------------------------------------------------------------------
    def _next_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.path) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _rate_limited(self) -> bool:
        if self.rate_limit is None:
            return False
        with self.lock:
            now = time.monotonic()
            self._window = [t for t in self._window if now - t < 1.0]
            if len(self._window) >= self.rate_limit:
                return True
            self._window.append(now)
            return False

    def _violation(self, method: str, path: str, problem: str) -> None:
        with self.lock:
            self.violations.append(Violation(method, path, problem))

    def _invalid(self, method: str, path: str, problem: str, status: int = 400) -> Answer:
        self._violation(method, path, problem)
        return status, {}, json.dumps({"meta": {"error": problem}}).encode()

    def handle(self, method: str, path: str, headers: Message, body: bytes) -> Answer:
        fault = self._next_fault(path)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.status:
                extra = {"Location": fault.location + path} if fault.location else {}
                return fault.status, {**fault.headers, **extra}, fault.body
        if self._rate_limited():
            return 429, {"Retry-After": "1"}, b'{"meta":{"error":"rate limit exceeded"}}'
        api = "app" if path.startswith("/v1/send/") else "pipelines" if path.startswith("/v1/") else \
            "track" if path.startswith(("/api/v1/", "/api/v2/")) else None
        if api is None:
            return self._invalid(method, path, "no such Customer.io endpoint", 404)
        auth = self._auth_problem(api, headers.get("Authorization") or "")
        if auth:
            if auth != "wrong credentials":
                self._violation(method, path, auth)
            return 401, {}, json.dumps({"meta": {"error": auth}}).encode()
        oversize = api != "app" and len(body) > MAX_REQUEST_BYTES  # no size limit is published for the App API
        if oversize:
            self._violation(method, path, f"request body is {len(body)} bytes, over the limit of {MAX_REQUEST_BYTES}")
            if api == "pipelines":
                return self._pipelines_oversize(headers)
        if oversize or (self.max_body is not None and len(body) > self.max_body):
            return 413, {}, b'{"meta":{"error":"request too large"}}'
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return self._invalid(method, path, "the body is not JSON")
        keep = not (fault is not None and fault.drop)
        if api == "app":
            return self._send(method, path, payload, keep)
        if api == "pipelines":
            return self._pipelines(method, path, headers, payload, keep)
        if path in ("/api/v2/batch", "/api/v2/entity"):
            return self._v2(method, path, payload, keep)
        return self._v1(method, path, payload, keep)

    def _auth_problem(self, api: str, given: str) -> str | None:
        """None when authorised; else why (only wrong credentials are not a contract violation)."""
        if api == "app":
            scheme, expected = "Bearer", f"Bearer {self.app_key}"
        elif api == "pipelines" and given.startswith("Bearer ") and given[7:].startswith(("pk_", "sk_")):
            scheme, expected = "Bearer", f"Bearer {self.write_key}"
        else:
            user = f"{self.write_key}:" if api == "pipelines" else f"{self.site_id}:{self.api_key}"
            scheme, expected = "Basic", "Basic " + base64.b64encode(user.encode()).decode()
        if given == expected:
            return None
        if not given.startswith(scheme + " "):
            return f"the {api} API takes {scheme} authentication"
        return "wrong credentials"

    def _send(self, method: str, path: str, payload: Any, keep: bool) -> Answer:
        kind = path[len("/v1/send/"):]
        if method != "POST" or kind not in APP_SEND:
            return self._invalid(method, path, f"no such App API endpoint (send: {', '.join(APP_SEND)})", 404)
        found = problems(APP_SEND[kind], payload)
        if found:
            return self._invalid(method, path, _said(found))
        with self.lock:
            if keep:
                self.messages.append({"kind": kind, **payload})
            delivery = f"d{len(self.messages)}"
        return 200, {}, json.dumps({"delivery_id": delivery, "queued_at": int(time.time())}).encode()

    def _v2(self, method: str, path: str, payload: Any, keep: bool) -> Answer:
        if method != "POST":
            return self._invalid(method, path, "Track v2 takes POST", 405)
        if path.endswith("/entity"):
            found = operation_problems(payload)
            if found:
                return self._invalid(method, path, _said(found))
            reason = self.item_errors(payload) if self.item_errors else None
            if reason:
                return 400, {}, json.dumps({"meta": {"error": reason}}).encode()
            if keep:
                self._apply_v2(payload)
            return 200, {}, b"{}"
        found = problems(V2_BATCH, payload)
        if found:
            return self._invalid(method, path, _said(found))
        errors = []
        for index, op in enumerate(payload["batch"]):
            found = operation_problems(op)
            if found:
                self._violation(method, path, f"batch[{index}]: {_said(found)}")
                errors.append({"batch_index": index, "reason": "invalid", "field": found[0][0],
                               "message": _said(found)})
            elif self.item_errors and self.item_errors(op):
                reason = self.item_errors(op)
                errors.append({"batch_index": index, "reason": reason, "field": "", "message": reason})
            elif keep:
                self._apply_v2(op)
        if errors:
            return 207, {}, json.dumps({"errors": errors}).encode()
        return 200, {}, b"{}"

    def _v1(self, method: str, path: str, payload: Any, keep: bool) -> Answer:
        routes = {m: schema for m, pattern, schema in V1_ROUTES if re.fullmatch(pattern, path)}
        if not routes:
            return self._invalid(method, path, "no such Track v1 endpoint", 404)
        if method not in routes:
            return self._invalid(method, path, f"this endpoint takes {' or '.join(routes)}", 405)
        schema = routes[method]
        parts = path.split("/")
        raw = unquote(parts[4]) if len(parts) > 4 and parts[3] == "customers" else None
        found = [("identifier in the path", m) for _, m in problems(ID, raw)] if raw is not None else []
        found += problems(schema, payload) if schema else []
        if found:
            return self._invalid(method, path, _said(found))
        if path == "/api/v1/accounts/region":
            host = "track-eu.customer.io" if self.region == "eu" else "track.customer.io"
            return 200, {}, json.dumps({"url": f"https://{host}", "region": self.region, "environment_id": 1}).encode()
        if keep:
            self._apply_v1(method, path, raw or "", payload)
        return 200, {}, b"{}"

    def _pipelines(self, method: str, path: str, headers: Message, payload: Any, keep: bool) -> Answer:
        kind = path[len("/v1/"):]
        if method != "POST" or (kind != "batch" and kind not in PIPELINES):
            return self._invalid(method, path, f"no such Pipelines endpoint (batch, {', '.join(PIPELINES)})", 404)
        if kind == "batch":
            found = problems(PIPELINES_BATCH, payload)
            messages = [] if found else payload["batch"]
        else:
            found = [] if isinstance(payload, dict) else [("", "the body must be one message (an object)")]
            messages = [] if found else [{**payload, "type": kind}]
        if found:
            self._violation(method, path, _said(found))
        bad = []
        for index, message in enumerate(messages):
            kind_schema = PIPELINES.get(str(message.get("type"))) if isinstance(message, dict) else None
            issue = _said(problems(kind_schema, message)) if kind_schema else \
                f"type must be one of {', '.join(PIPELINES)}"
            if issue:
                bad.append((index, message, issue))
                self._violation(method, path, f"batch[{index}]: {issue}" if kind == "batch" else issue)
        strict = headers.get("X-Strict-Mode") == "1"
        if strict and (found or bad):
            return 400, {}, json.dumps({"meta": {"error": _said(found) or "; ".join(
                f"batch[{i}]: {issue}" for i, _, issue in bad)}}).encode()
        rejected = {index for index, _, _ in bad}
        with self.lock:  # without strict mode Pipelines logs invalid messages, answers 200 and drops them
            self.pipelines_dropped.extend(message for _, message, _ in bad)
            if keep:
                self.pipelines.extend(m for index, m in enumerate(messages) if index not in rejected)
        return 200, {}, b"{}"

    def _pipelines_oversize(self, headers: Message) -> Answer:
        if headers.get("X-Strict-Mode") == "1":
            return 400, {}, json.dumps({"meta": {"error": "request too large"}}).encode()
        return 200, {}, b"{}"  # dropped, silently, as documented

    # -- state -------------------------------------------------------------------------------------------------------
    def _apply_v2(self, op: dict[str, Any]) -> None:
        action = op.get("action")
        who = next(iter(op.get("identifiers", {}).items()), None)
        with self.lock:
            if op.get("type") != "person":
                ids = op.get("identifiers", {})
                self.actions.append((f"{op.get('type')}:{action}", (ids.get("object_type_id"), ids.get("object_id")),
                                     op.get("attributes")))
            elif action == "identify":
                self.profiles.setdefault(who, {}).update(op.get("attributes", {}))
            elif action in ("event", "page", "screen"):
                self.events.append({"identifier": who, "type": action, "name": op.get("name"),
                                    "data": op.get("attributes", {}), "id": op.get("id"),
                                    "timestamp": op.get("timestamp")})
            elif action == "merge":
                self.actions.append(("merge", next(iter(op["primary"].items())), next(iter(op["secondary"].items()))))
            elif action in ("add_device", "delete_device"):
                self.actions.append((action, who, dict(op["device"])))
            else:
                self.actions.append((action, who, None))

    def _apply_v1(self, method: str, path: str, raw: str, payload: Any) -> None:
        """A v1 request as the v2 operation it amounts to (the identifier type inferred from the path's shape)."""
        payload = payload or {}
        if path == "/api/v1/events":
            with self.lock:
                self.events.append({"identifier": ("anonymous_id", payload.get("anonymous_id")), "type": "event",
                                    "name": payload["name"], "data": payload.get("data", {}),
                                    "id": payload.get("id"), "timestamp": payload.get("timestamp")})
            return
        if path == "/api/v1/merge_customers":
            return self._apply_v2({"type": "person", "action": "merge", **payload})
        who = ("cio_id", raw[4:]) if raw.startswith("cio_") else \
            ("email", raw) if re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", raw) else ("id", raw)
        base = {"type": "person", "identifiers": dict([who])}
        rest = path.split("/", 5)[5] if path.count("/") > 4 else ""
        if rest == "":
            self._apply_v2({**base, "action": "identify" if method == "PUT" else "delete", "attributes": payload})
        elif rest == "events":
            self._apply_v2({**base, "action": payload.get("type", "event"), "name": payload["name"],
                            "attributes": payload.get("data", {}), "id": payload.get("id"),
                            "timestamp": payload.get("timestamp")})
        elif rest == "devices":
            device = dict(payload["device"])
            device["token"] = device.pop("id")
            last_used = device.pop("last_used", None)
            attributes = {k: device.pop(k) for k in list(device) if k not in ("token", "platform")}
            device.update({"last_used": last_used} if last_used is not None else {})
            device.update({"attributes": attributes} if attributes else {})
            self._apply_v2({**base, "action": "add_device", "device": device})
        elif rest.startswith("devices/"):
            self._apply_v2({**base, "action": "delete_device", "device": {"token": unquote(rest[8:])}})
        else:
            self._apply_v2({**base, "action": rest})


def _handler(fake: FakeCustomerIO) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            try:
                status, headers, data = fake.handle(self.command, path, self.headers, body)
            except Exception as error:  # a bug in the fake must show as a 500 and a failed test, not a hang
                fake._violation(self.command, path, f"the fake itself failed: {error!r}")
                status, headers, data = 500, {}, repr(error).encode()
            with fake.lock:
                fake.requests.append(Request(time.monotonic(), self.command, path, status, len(body),
                                             dict(self.headers)))
            try:
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (read timeout)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


try:
    import pytest
except ImportError:  # pragma: no cover - pytest is only needed for the fixture
    pytest = None  # type: ignore[assignment]

if pytest is not None:
    @pytest.fixture
    def fake_customerio() -> Iterator[FakeCustomerIO]:
        """A FakeCustomerIO on a free loopback port, stopped after the test; fails the test at teardown if any
        request broke the published contract (see `FakeCustomerIO.take_violations`)."""
        fake = FakeCustomerIO()
        yield fake
        fake.stop()
        fake.check()
