"""The runtime client: a drop-in for ``customerio.CustomerIO`` whose calls validate, enqueue and return in
microseconds, while a background worker journals, batches, rate-limits and delivers.

Never raises into the caller for a delivery problem; programmer errors (blank ids, empty names, bad options)
raise ValueError at once, as the official client raises CustomerIOException.
"""
from __future__ import annotations

import atexit
import base64
import functools
import hashlib
import json
import logging
import os
import re
import threading
import time
import weakref
from collections import OrderedDict, deque
from pathlib import Path

from .. import catalog
from .delivery import Counters, Settings, Worker, log
from .policy import to_unix_seconds, ulid
from .spool import MemorySpool, RedisSpool, SQLiteSpool, encode

TRACK_URLS = {"us": "https://track.customer.io", "eu": "https://track-eu.customer.io"}
APP_URLS = {"us": "https://api.customer.io", "eu": "https://api-eu.customer.io"}
USER_AGENT = "flake8-cio-runtime/0.1"

# Track API limits (docs.customer.io/journeys/invalid-api-requests)
MAX_ID_BYTES = 150
MAX_ATTRIBUTE_NAME_BYTES = 150
MAX_ATTRIBUTE_VALUE_BYTES = 1000
MAX_ATTRIBUTES = 300
MAX_EVENT_NAME_BYTES = 100
MAX_OPERATION_BYTES = 32_000  # per v2 batch operation; it also keeps event data well under its 100 kB limit

EVENT_ACTIONS = ("event", "page", "screen")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")

#: option name -> (environment variable, type, default)
OPTIONS = {
    "track_url": ("CUSTOMERIO_TRACK_URL", str, None),
    "spool": ("CUSTOMERIO_SPOOL", str, None),
    "batch_size": ("CUSTOMERIO_BATCH_SIZE", int, 100),
    "flush_interval": ("CUSTOMERIO_FLUSH_INTERVAL", float, 0.5),
    "max_queue": ("CUSTOMERIO_MAX_QUEUE", int, 10_000),
    "rate_limit": ("CUSTOMERIO_RATE_LIMIT", float, 100.0),
    "retry_budget": ("CUSTOMERIO_RETRY_BUDGET", int, 5),
    "timeout": ("CUSTOMERIO_TIMEOUT", float, 5.0),
    "shutdown_timeout": ("CUSTOMERIO_SHUTDOWN_TIMEOUT", float, 5.0),
    "breaker_cooldown": ("CUSTOMERIO_BREAKER_COOLDOWN", float, 30.0),
    "max_backoff": ("CUSTOMERIO_MAX_BACKOFF", float, 60.0),
    "dedupe_window": ("CUSTOMERIO_DEDUPE_WINDOW", float, 2.0),
    "catalog": ("CUSTOMERIO_CATALOG", str, None),
    "catalog_mode": ("CUSTOMERIO_CATALOG_MODE", str, "warn"),
}
CATALOG_MODES = ("warn", "drop", "strict")


def resolve_options(options: dict) -> dict:
    """Each option from the call, else its environment variable, else the default; a bad value is a ValueError."""
    unknown = set(options) - set(OPTIONS) - {"secondary", "on_error"}
    if unknown:
        raise ValueError(f"unknown runtime option(s) {sorted(unknown)}; known: {sorted(OPTIONS)}")
    resolved = {}
    for name, (env, kind, default) in OPTIONS.items():
        raw = options.get(name)
        source = name
        if raw is None and os.environ.get(env):
            raw, source = os.environ[env], env
        if raw is None:
            resolved[name] = default
            continue
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{source}={raw!r} is not a valid {kind.__name__}") from None
        if kind is not str and (value < 0 or (value == 0 and name != "dedupe_window")):
            raise ValueError(f"{source}={raw!r} must be greater than 0")
        resolved[name] = value
    return resolved


def region_name(region) -> str:
    """'us'/'eu' from a string or a ``customerio.Regions`` value."""
    name = (getattr(region, "name", region) or os.environ.get("CUSTOMERIO_REGION") or "us").strip().lower()
    if name not in TRACK_URLS:
        raise ValueError(f"region {region!r} is not one of us, eu (CUSTOMERIO_REGION)")
    return name


def _require(value, what: str, env: str) -> str:
    value = value if value not in (None, "") else os.environ.get(env)
    if not value:
        raise ValueError(f"missing Customer.io {what}: pass it or set {env}")
    return str(value)


def _size(value) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode())


def _check_id(value, what: str) -> str:
    if value is None or value == "":
        raise ValueError(f"{what} cannot be blank")
    text = str(value)
    if len(text.encode()) > MAX_ID_BYTES:
        raise ValueError(f"{what} is over {MAX_ID_BYTES} bytes")
    return text


def identifiers(customer_id: str) -> dict:
    """The v1 path infers the identifier type from its shape; v2 wants it said: mirror the inference."""
    if customer_id.startswith("cio_"):
        return {"cio_id": customer_id[4:]}
    if EMAIL.match(customer_id):
        return {"email": customer_id}
    return {"id": customer_id}


class OverLimit(Exception):
    """An operation over the API's documented limits: rejected, logged and counted, never sent."""


class _Dropped(Exception):
    """An event the catalog policy dropped (already counted and logged)."""


def _data_problems_not_raised(method):
    """Over-limit or off-catalog data is the data's problem, not the caller's: it was logged and counted."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            method(self, *args, **kwargs)
        except _Dropped:
            pass
        except OverLimit as error:
            self._counters.add("rejected")
            log.error("flake8-cio runtime: %s: not sent (%s)", method.__name__, error)
    return wrapper


def _sanitize(value):
    """Datetimes and dates to Unix seconds, recursively (as the official SDK); NaN to None."""
    if isinstance(value, dict):
        return {k: _sanitize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sanitize(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    converted, _ = to_unix_seconds(value) if not isinstance(value, (int, float, str, bool)) else (value, None)
    return converted


class RuntimeClient:
    """Drop-in for ``customerio.CustomerIO`` (3.x method names and signatures); methods return None."""

    BATCH_PATH = "/api/v2/batch"

    def __init__(self, site_id=None, api_key=None, *, region=None, secondary=None, on_error=None, **options):
        self.site_id = _require(site_id, "site id", "CUSTOMERIO_SITE_ID")
        api_key = _require(api_key, "Track API key", "CUSTOMERIO_TRACK_API_KEY")
        self.region = region_name(region)
        self.options = resolve_options(options)
        self._track_url = (self.options["track_url"] or TRACK_URLS[self.region]).rstrip("/")
        token = base64.b64encode(f"{self.site_id}:{api_key}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json",
                         "User-Agent": USER_AGENT}
        # names the default spool: events journaled for one workspace are replayed only with its credentials
        self._fingerprint = hashlib.sha256(f"{self.site_id}:{api_key}".encode()).hexdigest()[:16]
        self._settings = Settings(**{k: self.options[k] for k in Settings.__dataclass_fields__})
        if self.options["catalog_mode"] not in CATALOG_MODES:
            raise ValueError(f"catalog_mode={self.options['catalog_mode']!r} is not one of {', '.join(CATALOG_MODES)}")
        self._catalog = catalog.load(self.options["catalog"]) if self.options["catalog"] else None
        self._on_error = on_error
        self._secondary = secondary
        self._counters = Counters()
        self._warned: set = set()
        self._lock = threading.Lock()
        self._closed = False
        self._reset_after_fork()
        _LIVE.add(self)
        if self._spool.durable and self._spool.depth():
            self._ensure_worker()  # replay what an earlier process left behind

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def _reset_after_fork(self) -> None:
        """Fresh queue, spool connection and (lazily) worker for this process: a forked child never inherits a
        dead thread, and drops the parent's in-memory events (the parent delivers those)."""
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._counters.lock = threading.Lock()  # the parent's worker may have held it at the fork
        self._queue: deque = deque()
        self._dedupe: OrderedDict = OrderedDict()
        self._spool_error: str | None = None
        self._spool = self._open_spool()
        self._worker: Worker | None = None

    def _open_spool(self):
        setting = self.options["spool"]
        if setting and setting.lower() == "none":
            return MemorySpool()
        if setting and setting.startswith(("redis://", "rediss://", "unix://")):
            return RedisSpool(setting, f"flake8-cio:spool:{self._fingerprint}")
        path = Path(setting) if setting else _cache_dir() / f"spool-{self._fingerprint}.sqlite3"
        try:
            return SQLiteSpool(path)
        except Exception as error:  # an unusable spool must not take the app down: degrade to memory, loudly
            log.error("flake8-cio runtime: spool %s unusable (%s); keeping events in memory only", path, error)
            self._spool_error = f"spool {path} unusable: {error!r}; memory only"
            return MemorySpool()

    def _ensure_worker(self) -> Worker:
        if self._pid != os.getpid():  # a fork that bypassed os.register_at_fork
            self._reset_after_fork()
        if self._worker is None:
            with self._lock:
                if self._worker is None:
                    self._worker = Worker(self, self._settings)
        return self._worker

    def _spool_failed(self, error: Exception) -> None:
        """A durable spool that fails mid-flight: carry on in memory (health shows it), never raise to callers.
        What the failed spool holds stays in its file for the next start."""
        with self._lock:
            if isinstance(self._spool, MemorySpool):
                return
            log.error("flake8-cio runtime: spool %s failed (%r); continuing with memory only",
                      type(self._spool).__name__, error)
            self._spool_error = f"spool failed: {error!r}; memory only"
            self._spool = MemorySpool()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything accepted so far is delivered (or settled as failed); False on timeout or while
        the circuit breaker is open. Never waits longer than `timeout` (default: shutdown_timeout)."""
        worker = self._ensure_worker()
        deadline = time.monotonic() + (self.options["shutdown_timeout"] if timeout is None else timeout)
        while time.monotonic() < deadline:
            if worker.breaker.state == "open":
                return False
            if not self._queue and self._spool.depth() == 0:
                return True
            worker.wake.set()
            time.sleep(0.005)
        return not self._queue and self._spool.depth() == 0

    def close(self, timeout: float | None = None) -> bool:
        """Deliver what can be delivered within `timeout`, leave the rest in the spool; idempotent."""
        if self._closed:
            return True
        timeout = self.options["shutdown_timeout"] if timeout is None else timeout
        delivered = self.flush(timeout) if (self._queue or self._worker) else True
        self._closed = True
        worker = self._worker
        if worker is not None:
            worker.stop(max(0.1, timeout))
        if self._queue:  # the worker did not get to them: journal here
            self._spool.put(self.prepare(list(self._queue)))
            self._queue.clear()
        left = self._spool.depth()
        if left:
            log.warning("flake8-cio runtime: closing with %d events undelivered (%s)", left,
                        "kept in the spool for the next start" if self._spool.durable else "LOST: no durable spool")
            if not self._spool.durable:
                self._counters.add("dropped", left)
        if self._secondary is not None:
            self._secondary.close(timeout)
        self._final_depth = left
        self._spool.close()
        _LIVE.discard(self)
        return delivered

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def health(self) -> dict:
        worker = self._worker
        counters = self._counters.snapshot()
        return {
            "circuit": worker.breaker.state if worker else "closed",
            "queue_depth": len(self._queue),
            "spool_depth": self._final_depth if self._closed else self._spool.depth(),
            "spool": type(self._spool).__name__,
            "counters": counters,
            "last_error": self._spool_error or (worker.last_error if worker else None),
            "worker_alive": bool(worker and worker.thread.is_alive()),
        }

    # -- the official client's methods ---------------------------------------------------------------------------
    @_data_problems_not_raised
    def identify(self, id, **kwargs):
        cid = _check_id(id, "id in identify")
        self._check_attributes(kwargs)
        if self._catalog is not None and self._catalog.attributes:
            for key in kwargs:
                if key not in self._catalog.attributes and \
                        self._off_catalog(("attribute", key), f"attribute {key!r} is not in the event catalog"):
                    return
        self._email_guard(cid)
        self._accept({"type": "person", "identifiers": identifiers(cid), "action": "identify",
                      "attributes": _sanitize(kwargs)})

    @_data_problems_not_raised
    def track(self, customer_id, name, data=None, id=None, timestamp=None):
        cid = _check_id(customer_id, "customer_id in track")
        self._email_guard(cid)
        self._accept(self._event(identifiers(cid), "event", name, data, id, timestamp))

    @_data_problems_not_raised
    def track_anonymous(self, anonymous_id, name, data=None, id=None, timestamp=None):
        event = self._event({}, "event", name, data, id or ulid(), timestamp)  # v1 body: the id goes inside
        body = {"name": event["name"], "data": event["attributes"], "id": event["id"]}
        if "timestamp" in event:
            body["timestamp"] = event["timestamp"]
        if anonymous_id not in (None, ""):
            body["anonymous_id"] = str(anonymous_id)
        self._accept({"v1": {"path": "/api/v1/events", "body": body}})

    @_data_problems_not_raised
    def pageview(self, customer_id, page, **data):
        cid = _check_id(customer_id, "customer_id in pageview")
        self._accept(self._event(identifiers(cid), "page", page, data, None, None))

    @_data_problems_not_raised
    def backfill(self, customer_id, name, timestamp, **data):
        cid = _check_id(customer_id, "customer_id in backfill")
        if timestamp is None:
            raise ValueError("timestamp cannot be blank in backfill")
        self._accept(self._event(identifiers(cid), "event", name, data, None, timestamp))

    def delete(self, customer_id):
        self._person_action(customer_id, "delete")

    def suppress(self, customer_id):
        self._person_action(customer_id, "suppress")

    def unsuppress(self, customer_id):
        self._person_action(customer_id, "unsuppress")

    @_data_problems_not_raised
    def add_device(self, customer_id, device_id, platform, **data):
        cid = _check_id(customer_id, "customer_id in add_device")
        device = {"token": _check_id(device_id, "device_id in add_device"),
                  "platform": _check_id(platform, "platform in add_device")}
        if "last_used" in data:
            device["last_used"] = self._seconds(data.pop("last_used"), "last_used")
        if data:
            device["attributes"] = _sanitize(data)
        self._accept({"type": "person", "identifiers": identifiers(cid), "action": "add_device", "device": device})

    def delete_device(self, customer_id, device_id):
        cid = _check_id(customer_id, "customer_id in delete_device")
        token = _check_id(device_id, "device_id in delete_device")
        self._accept({"type": "person", "identifiers": identifiers(cid), "action": "delete_device",
                      "device": {"token": token}})

    def merge_customers(self, primary_id_type, primary_id, secondary_id_type, secondary_id):
        for id_type in (primary_id_type, secondary_id_type):
            if id_type not in ("id", "email", "cio_id"):
                raise ValueError(f"invalid id type {id_type!r} in merge_customers: use id, email or cio_id")
        self._accept({"type": "person", "action": "merge",
                      "primary": {primary_id_type: _check_id(primary_id, "primary_id")},
                      "secondary": {secondary_id_type: _check_id(secondary_id, "secondary_id")}})

    @_data_problems_not_raised
    def batch(self, operations):
        """Track API v2 operations, queued like the others (each gets an event id if it is an event)."""
        if not operations:
            raise ValueError("operations cannot be blank in batch")
        for op in operations:
            self._accept(_sanitize(op))

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _person_action(self, customer_id, action: str) -> None:
        cid = _check_id(customer_id, f"customer_id in {action}")
        self._accept({"type": "person", "identifiers": identifiers(cid), "action": action})

    def _event(self, ids: dict, action: str, name, data, event_id, timestamp) -> dict:
        if name is None or not str(name).strip():
            raise ValueError("event name cannot be blank")
        name = str(name)
        if len(name.encode()) > MAX_EVENT_NAME_BYTES:
            raise ValueError(f"event name is over {MAX_EVENT_NAME_BYTES} bytes")
        if data is not None and not isinstance(data, dict):
            raise ValueError("event data must be a dict")
        self._name_guard(name, action)
        if self._catalog is not None and action == "event" and self._against_catalog(name, data or {}):
            raise _Dropped
        op = {"type": "person", "identifiers": ids, "action": action, "name": name,
              "attributes": _sanitize(data or {})}
        if event_id:
            op["id"] = str(event_id)
        if timestamp is not None:
            op["timestamp"] = self._seconds(timestamp, "timestamp")
        return op

    def _against_catalog(self, name: str, data: dict) -> bool:
        """True when the event is to be dropped (catalog_mode=drop); raises in strict mode; warns once otherwise."""
        event = self._catalog.events.get(name)
        if event is None:
            return self._off_catalog(("event", name), f"event {name!r} is not in the event catalog")
        for key in data:
            if key not in event.fields and self._off_catalog(("data", name, key),
                                                             f"data key {key!r} of event {name!r} is not in the catalog"):
                return True
        missing = [key for key in event.required if key not in data]
        return bool(missing) and self._off_catalog(("missing", name), f"event {name!r} lacks required data {missing}")

    def _off_catalog(self, key, message: str) -> bool:
        mode = self.options["catalog_mode"]
        if mode == "strict":
            raise ValueError(message + " (catalog_mode=strict)")
        if mode == "drop":
            self._counters.add("dropped")
            self._warn_once(key, "%s: dropped (catalog_mode=drop)", message)
            return True
        self._warn_once(key, "%s", message)
        return False

    def _seconds(self, value, what: str):
        seconds, unit = to_unix_seconds(value)
        if unit:
            self._warn_once(("unit", what, unit), "%s given in %s; converted to Unix seconds (flake8-cio CIO101)",
                            what, unit)
        return seconds

    def _check_attributes(self, attributes: dict) -> None:
        if len(attributes) > MAX_ATTRIBUTES:
            raise OverLimit(f"{len(attributes)} attributes in one call; the limit is {MAX_ATTRIBUTES}")
        for key, value in attributes.items():
            if len(str(key).encode()) > MAX_ATTRIBUTE_NAME_BYTES:
                raise OverLimit(f"attribute name {str(key)[:40]!r}... is over {MAX_ATTRIBUTE_NAME_BYTES} bytes")
            if not (isinstance(value, str) and len(value) <= MAX_ATTRIBUTE_VALUE_BYTES // 4) and \
                    _size(value) > MAX_ATTRIBUTE_VALUE_BYTES:
                raise OverLimit(f"value of attribute {key!r} is over {MAX_ATTRIBUTE_VALUE_BYTES} bytes")
        for key in ("created_at", "_timestamp"):
            if key in attributes:
                attributes[key] = self._seconds(attributes[key], key)

    def _name_guard(self, name: str, action: str) -> None:
        if ("name", name) in self._warned or ("ok", name) in self._warned:
            return
        if len(self._warned) < 10_000:
            self._warned.add(("ok", name))
        if action == "event" and not SNAKE.match(name):
            self._warn_once(("name", name), "event name %r is not snake_case (flake8-cio CIO202)", name)
        if EMAIL.search(name) or re.search(r"\d{6,}", name):
            self._warn_once(("dynamic", name), "event name %r looks dynamic or personal (flake8-cio CIO201/203)", name)

    def _email_guard(self, customer_id: str) -> None:
        if EMAIL.match(customer_id):
            self._warn_once(("email-id",), "an email is used as the customer id (flake8-cio CIO301)")

    def _warn_once(self, key, message: str, *args) -> None:
        if key not in self._warned and len(self._warned) < 10_000:
            self._warned.add(key)
            log.warning("flake8-cio runtime: " + message, *args)

    def _accept(self, op: dict) -> None:
        """The hot path: enqueue the validated operation with its accept time; encoding, the size limit, the
        de-duplication window and the event id are the worker's (see `prepare`). Overflow goes to the spool."""
        if self._closed:  # e.g. a thread still tracking after the interpreter-exit close: refuse, quietly
            self._counters.add("dropped")
            self._warn_once(("closed",), "a call after close() was not sent (use get_client() for a new client)")
            return
        now = time.monotonic()
        worker = self._worker if self._worker is not None else self._ensure_worker()
        self._counters.add("accepted")
        if len(self._queue) >= self.options["max_queue"] and self._spool.durable:
            try:
                texts = self.prepare([(op, now)])
                self._spool.put(texts)
                self._counters.add("spooled", len(texts))
            except Exception as error:  # the spool failed: keep it in memory, the worker falls back
                self._queue.append((op, now))
                self._spool_failed(error)
        else:
            self._queue.append((op, now))
            if len(self._queue) >= self.options["batch_size"]:
                worker.wake.set()
        if self._secondary is not None:
            try:
                self._secondary._accept(op)
            except Exception as error:  # a secondary destination never affects the primary
                self._counters.add("worker_errors")
                log.warning("flake8-cio runtime: secondary destination refused an event: %r", error)

    def wire(self, op: dict) -> dict:
        """The operation as this destination's API takes it (a Track API v2 operation here)."""
        return op

    def prepare(self, accepted: list[tuple[dict, float]]) -> list[str]:
        """Operations as the JSON the spool keeps: over-limit ones rejected, repeats within dedupe_window (by
        accept time) dropped, each event given its ULID id, kept across retries and replays."""
        texts = []
        window = self.options["dedupe_window"]
        for op, accepted_at in accepted:
            text = encode(op)
            if len(text) > (MAX_OPERATION_BYTES - 40) // 4 and len(text.encode()) > MAX_OPERATION_BYTES - 40:
                self._counters.add("rejected")
                log.error("flake8-cio runtime: operation over %d bytes rejected: %s", MAX_OPERATION_BYTES,
                          op.get("action"))
                continue
            key = hash(text)  # in-process only, so Python's own string hash will do
            seen = self._dedupe.get(key)
            if seen is not None and 0 < accepted_at - seen < window:  # 0: the same operation, prepared again
                self._counters.add("deduplicated")
                continue
            self._dedupe[key] = accepted_at
            if len(self._dedupe) > 10_000:
                self._dedupe.popitem(last=False)
            wired = self.wire(op)
            if wired is not op:
                text = encode(wired)
            elif op.get("action") in EVENT_ACTIONS and "id" not in op:
                text = f'{text[:-1]},"id":"{ulid()}"}}'
            texts.append(text)
        return texts

    def _report_error(self, reasons: dict, ops: list) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(reasons, ops)
        except Exception:  # a raising callback must not kill the worker
            log.exception("flake8-cio runtime: on_error callback raised (ignored)")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flake8-cio"


_LIVE: "weakref.WeakSet[RuntimeClient]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for client in list(_LIVE):
        client._reset_after_fork()


def _close_all_at_exit() -> None:
    for client in list(_LIVE):
        try:
            client.close()
        except Exception:
            log.exception("flake8-cio runtime: error while closing at exit")


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_close_all_at_exit)
