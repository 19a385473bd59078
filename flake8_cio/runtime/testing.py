"""A fake Customer.io for tests: a real HTTP(S) server on 127.0.0.1 speaking Track v1, Track v2 batch/entity and
the App API's send endpoints, checking auth, keeping the people and events it was told about, with fault
injection. Use it for your own code too::

    pytest_plugins = ["flake8_cio.runtime.testing"]      # gives the `fake_customerio` fixture

    def test_signup(fake_customerio, monkeypatch):
        monkeypatch.setenv("CUSTOMERIO_TRACK_URL", fake_customerio.url)
        ...
        assert fake_customerio.events_named("signed_up")
"""
from __future__ import annotations

import base64
import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

SITE_ID, API_KEY, APP_KEY, WRITE_KEY = "test-site", "test-track-key", "test-app-key", "test-write-key"


@dataclass
class Fault:
    status: int = 500
    times: int = 1
    headers: dict = field(default_factory=dict)
    body: bytes = b'{"meta":{"error":"injected"}}'
    delay: float = 0.0  # sleep before answering (a read timeout when longer than the client's timeout)
    path: str = ""  # only requests whose path starts with this


class FakeCustomerIO:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None,
                 site_id: str = SITE_ID, api_key: str = API_KEY, app_key: str = APP_KEY):
        self.site_id, self.api_key, self.app_key = site_id, api_key, app_key
        self.lock = threading.Lock()
        self.faults: list[Fault] = []
        self.max_body = 500_000
        self.max_op = 32_000
        self.rate_limit: float | None = None  # requests per second, beyond which 429
        self.item_errors = None  # callable(op) -> reason or None: 207 per-item errors
        self.profiles: dict[tuple, dict] = {}
        self.events: list[dict] = []
        self.actions: list[tuple] = []  # (action, identifier, extra) for delete/suppress/devices/merge
        self.messages: list[dict] = []  # transactional sends
        self.pipelines: list[dict] = []  # Data Pipelines messages (POST /v1/batch, Basic write_key:)
        self.write_key = WRITE_KEY
        self.requests: list[tuple] = []  # (monotonic time, method, path, status, body bytes)
        self._window: list[float] = []
        self.tls = tls
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.host, self.port = self.server.server_address[:2]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def restart(self) -> None:
        """Listen again on the same port (after `stop`, to simulate an outage and recovery)."""
        server = ThreadingHTTPServer((self.host, self.port), _handler(self))
        server.daemon_threads = True
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self.server = server
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def fail(self, status: int = 500, times: int = 1, **kwargs) -> None:
        with self.lock:
            self.faults.append(Fault(status, times, **kwargs))

    # -- what was received ---------------------------------------------------------------------------------------
    def events_named(self, name: str) -> list[dict]:
        with self.lock:
            return [e for e in self.events if e["name"] == name]

    def unique_events(self) -> list[dict]:
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
            return sum(1 for r in self.requests if r[2].startswith(prefix))

    # -- the API -------------------------------------------------------------------------------------------------------
    def _next_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.path) and fault.times > 0:
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

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict, bytes]:
        fault = self._next_fault(path)
        if fault is not None:
            time.sleep(fault.delay)
            if fault.status:
                return fault.status, fault.headers, fault.body
        if self._rate_limited():
            return 429, {"Retry-After": "1"}, b'{"meta":{"error":"rate limited"}}'
        if len(body) > self.max_body:
            return 413, {}, b'{"meta":{"error":"request too large"}}'
        app = path.startswith("/v1/send/")
        basic = f"{self.write_key}:" if path == "/v1/batch" else f"{self.site_id}:{self.api_key}"
        expected = f"Bearer {self.app_key}" if app else "Basic " + base64.b64encode(basic.encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {}, b'{"meta":{"error":"unauthorized"}}'
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return 400, {}, b'{"meta":{"error":"invalid json"}}'
        if app:
            with self.lock:
                self.messages.append({"kind": path.rsplit("/", 1)[1], **payload})
            return 200, {}, json.dumps({"delivery_id": f"d{len(self.messages)}", "queued_at": int(time.time())}).encode()
        if path == "/v1/batch":
            with self.lock:
                self.pipelines.extend(payload.get("batch", []))
            return 200, {}, b"{}"
        if path in ("/api/v2/batch", "/api/v2/entity"):
            ops = payload.get("batch", []) if path.endswith("batch") else [payload]
            errors = []
            for index, op in enumerate(ops):
                reason = self._op_error(op)
                if reason:
                    errors.append({"batch_index": index, "reason": reason, "field": "", "message": reason})
                else:
                    self._apply_v2(op)
            if errors:
                return 207, {}, json.dumps({"errors": errors}).encode()
            return 200, {}, b"{}"
        return self._apply_v1(method, path, payload)

    def _op_error(self, op: dict) -> str | None:
        if len(json.dumps(op).encode()) > self.max_op:
            return "operation too large"
        if op.get("type") != "person":
            return "unsupported type"
        if self.item_errors is not None:
            return self.item_errors(op)
        return None

    def _apply_v2(self, op: dict) -> None:
        action = op.get("action")
        who = next(iter(op.get("identifiers", {}).items()), None)
        with self.lock:
            if action == "identify":
                self.profiles.setdefault(who, {}).update(op.get("attributes", {}))
            elif action in ("event", "page", "screen"):
                self.events.append({"identifier": who, "type": action, "name": op.get("name"),
                                    "data": op.get("attributes", {}), "id": op.get("id"),
                                    "timestamp": op.get("timestamp")})
            elif action == "merge":
                self.actions.append(("merge", next(iter(op["primary"].items())), next(iter(op["secondary"].items()))))
            elif action in ("add_device", "delete_device"):
                device = dict(op.get("device", {}))
                self.actions.append((action, who, device))
            else:
                self.actions.append((action, who, None))

    def _apply_v1(self, method: str, path: str, payload: dict) -> tuple[int, dict, bytes]:
        match = re.fullmatch(r"/api/v1/customers/([^/]+)(/.*)?", path)
        if path == "/api/v1/events" and method == "POST":
            with self.lock:
                self.events.append({"identifier": ("anonymous_id", payload.get("anonymous_id")), "type": "event",
                                    "name": payload.get("name"), "data": payload.get("data", {}),
                                    "id": payload.get("id"), "timestamp": payload.get("timestamp")})
            return 200, {}, b"{}"
        if path == "/api/v1/merge_customers" and method == "POST":
            self._apply_v2({"type": "person", "action": "merge", **payload})
            return 200, {}, b"{}"
        if not match:
            return 404, {}, b'{"meta":{"error":"not found"}}'
        raw = unquote(match.group(1))
        who = ("cio_id", raw[4:]) if raw.startswith("cio_") else \
            ("email", raw) if re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", raw) else ("id", raw)
        rest = match.group(2) or ""
        base = {"type": "person", "identifiers": dict([who])}
        if rest == "" and method == "PUT":
            self._apply_v2({**base, "action": "identify", "attributes": payload})
        elif rest == "" and method == "DELETE":
            self._apply_v2({**base, "action": "delete"})
        elif rest == "/events" and method == "POST":
            self._apply_v2({**base, "action": payload.get("type", "event"), "name": payload.get("name"),
                            "attributes": payload.get("data", {}), "id": payload.get("id"),
                            "timestamp": payload.get("timestamp")})
        elif rest == "/devices" and method == "PUT":
            device = dict(payload.get("device", {}))
            device["token"] = device.pop("id", None)
            last_used = device.pop("last_used", None)
            attributes = {k: device.pop(k) for k in list(device) if k not in ("token", "platform")}
            device.update({"last_used": last_used} if last_used is not None else {})
            device.update({"attributes": attributes} if attributes else {})
            self._apply_v2({**base, "action": "add_device", "device": device})
        elif rest.startswith("/devices/") and method == "DELETE":
            self._apply_v2({**base, "action": "delete_device", "device": {"token": unquote(rest[9:])}})
        elif rest in ("/suppress", "/unsuppress") and method == "POST":
            self._apply_v2({**base, "action": rest[1:]})
        else:
            return 404, {}, b'{"meta":{"error":"not found"}}'
        return 200, {}, b"{}"


def _handler(fake: FakeCustomerIO):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            try:
                status, headers, data = fake.handle(self.command, path, self.headers, body)
            except Exception as error:  # a bug in the fake must show as a 500, not a hang
                status, headers, data = 500, {}, repr(error).encode()
            with fake.lock:
                fake.requests.append((time.monotonic(), self.command, path, status, len(body)))
            try:
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (read timeout)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, *args):
            pass

    return Handler


try:
    import pytest
except ImportError:  # pragma: no cover - pytest is only needed for the fixture
    pytest = None

if pytest is not None:
    @pytest.fixture
    def fake_customerio():
        """A FakeCustomerIO on a free loopback port, stopped after the test."""
        fake = FakeCustomerIO()
        yield fake
        fake.stop()
