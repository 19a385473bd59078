"""Operational endpoints for the runtime client: health, Prometheus metrics and Customer.io reporting webhooks,
as framework-free cores (``(status, headers, body)`` from headers and body) with thin adapters for WSGI, ASGI,
Flask, Starlette/FastAPI and Django. No framework is imported unless its adapter is used."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Iterable, Mapping

from .client import RuntimeClient
from .delivery import FILL_WARNING, log

Response = tuple[int, dict[str, str], bytes]
JSON = {"Content-Type": "application/json"}
MAX_BODY = 1 << 20

# -- health -------------------------------------------------------------------------------------------------------


OVERFLOW_RECENT = 60.0  # an overflow this recent means the spool is dropping events now


def health_response(client: RuntimeClient) -> Response:
    """For probes: 503 only while accepted events are at risk (the worker is not running, a failed durable spool
    left them in memory only, the spool is at its cap and dropping); 200 otherwise, with status "degraded" and the
    reasons while they are safe but late (circuit open, retrying, a configuration error, the spool filling up). A
    Customer.io outage must not take every pod out of service while its events wait in the spool: alert on
    "degraded" (or on the metrics) instead. Depths, circuit, counters and reasons only: never credentials or
    payloads."""
    health = client.health()
    at_risk, degraded = _at_risk(client, health), []
    if health["circuit"] != "closed":
        degraded.append(f"circuit {health['circuit']}")
    if health["last_error"] and not health["memory_only_since"]:
        degraded.append(health["last_error"])
    if health["spool_fill"] >= FILL_WARNING:
        degraded.append(f"spool {health['spool_fill']:.0%} full")
    body = {
        "status": "unavailable" if at_risk else "degraded" if degraded else "ok",
        "reasons": at_risk + degraded,
        "circuit": health["circuit"],
        "queue_depth": health["queue_depth"],
        "spool_depth": health["spool_depth"],
        "spool_fill": health["spool_fill"],
        "memory_only_since": health["memory_only_since"],
        "counters": health["counters"],
    }
    return (503 if at_risk else 200), JSON, json.dumps(body).encode()


def _at_risk(client: RuntimeClient, health: dict[str, Any]) -> list[str]:
    reasons = []
    if client.closed:
        reasons.append("client closed")
    elif health["counters"]["accepted"] and not health["worker_alive"]:
        reasons.append("worker not running")
    if health["memory_only_since"]:
        reasons.append(health["last_error"] or f"memory only since {health['memory_only_since']}")
    if health["overflowed_ago"] is not None and health["overflowed_ago"] < OVERFLOW_RECENT:
        reasons.append("spool full: events dropped (spool_max_bytes, spool_overflow)")
    return reasons


def metrics_response(client: RuntimeClient, webhooks: "WebhookReceiver | None" = None) -> Response:
    """The runtime's counters in the Prometheus text exposition format (no prometheus_client needed)."""
    health = client.health()
    lines = [
        "# HELP cio_runtime_events_total Events by outcome in the flake8-cio runtime client.",
        "# TYPE cio_runtime_events_total counter",
        *(f'cio_runtime_events_total{{outcome="{name}"}} {value}' for name, value in health["counters"].items()),
        *_gauge("queue_depth", "Events waiting in memory.", health["queue_depth"]),
        *_gauge("spool_depth", "Events in the spool, not yet delivered (all processes sharing it).",
                health["spool_depth"]),
        *_gauge("spool_fill", "Fraction of the spool's size cap (spool_max_bytes) in use.", health["spool_fill"]),
        *_gauge("memory_only", "1 while a failed durable spool leaves events in memory only.",
                int(bool(health["memory_only_since"]))),
        *_gauge("last_error", "1 while health() reports a last error (the health endpoint says which).",
                int(bool(health["last_error"]))),
        *_gauge("circuit_open", "1 while the circuit breaker is open or half-open.",
                int(health["circuit"] != "closed")),
    ]
    if webhooks is not None:
        lines += ["# HELP cio_webhook_requests_total Reporting webhook requests by result.",
                  "# TYPE cio_webhook_requests_total counter",
                  *(f'cio_webhook_requests_total{{result="{name}"}} {value}'
                    for name, value in sorted(webhooks.snapshot().items()))]
    return 200, {"Content-Type": "text/plain; version=0.0.4"}, ("\n".join(lines) + "\n").encode()


def _gauge(name: str, text: str, value: float) -> list[str]:
    return [f"# HELP cio_runtime_{name} {text}", f"# TYPE cio_runtime_{name} gauge", f"cio_runtime_{name} {value}"]


# -- reporting webhooks -------------------------------------------------------------------------------------------

SUPPRESSING_METRICS = frozenset({"bounced", "spammed", "unsubscribed"})


class WebhookReceiver:
    """Verifies Customer.io reporting webhooks (HMAC-SHA256 of ``v0:<timestamp>:<raw body>`` with the signing key,
    hex, compared in constant time; timestamps older or newer than `tolerance` seconds are replays) and suppresses
    the person on hard bounces, spam complaints and unsubscribes, once per `event_id`."""

    def __init__(self, signing_key: str, client: RuntimeClient | None = None, *,
                 on_event: Callable[[dict[str, Any]], None] | None = None,
                 metrics: Iterable[str] = SUPPRESSING_METRICS, tolerance: float = 300.0, max_body: int = MAX_BODY,
                 remember: int = 100_000):
        if not signing_key:
            raise ValueError("a webhook signing key is required (Customer.io: reporting webhook settings)")
        if client is None and on_event is None:
            raise ValueError("give a runtime client to suppress through, or an on_event callback")
        self.key = signing_key.encode()
        self.client, self.on_event = client, on_event
        self.metrics = frozenset(metrics)
        self.tolerance, self.max_body, self.remember = tolerance, max_body, remember
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}

    def count(self, result: str) -> None:
        with self.lock:
            self.counts[result] = self.counts.get(result, 0) + 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)

    def _reject(self, status: int, reason: str) -> Response:
        self.count(reason)
        return status, JSON, json.dumps({"error": reason}).encode()

    def handle(self, headers: Mapping[str, str], body: bytes) -> Response:
        """One delivery: verify, parse, act once. 2xx only when the event was verified (acted on or not)."""
        headers = {k.lower(): v for k, v in headers.items()}
        if len(body) > self.max_body:
            return self._reject(413, "body_too_large")
        timestamp, signature = headers.get("x-cio-timestamp"), headers.get("x-cio-signature")
        if not timestamp or not signature:
            return self._reject(401, "missing_signature")
        if not (timestamp.isascii() and timestamp.isdigit()):
            return self._reject(401, "bad_timestamp")
        if abs(time.time() - int(timestamp)) > self.tolerance:
            return self._reject(401, "stale_timestamp")
        expected = hmac.new(self.key, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        # bytes: compare_digest raises TypeError for a str that is not ASCII
        if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode("utf-8", "replace")):
            return self._reject(401, "bad_signature")
        try:
            event = json.loads(body)
            event_id, metric = str(event["event_id"]), str(event["metric"])
            data = event.get("data") or {}
        except (ValueError, KeyError, TypeError, AttributeError):
            return self._reject(400, "malformed_body")
        with self.lock:
            if event_id in self.seen:
                self.counts["duplicate"] = self.counts.get("duplicate", 0) + 1
                return 200, JSON, b'{"status":"duplicate"}'
            self.seen[event_id] = None
            if len(self.seen) > self.remember:
                self.seen.popitem(last=False)
        if metric not in self.metrics:
            self.count("ignored")
            return 200, JSON, b'{"status":"ignored"}'
        try:
            if self.on_event is not None:
                self.on_event(event)
            elif self.client is not None:  # always, when there is no on_event (see __init__)
                customer_id = data.get("customer_id") or (data.get("identifiers") or {}).get("id")
                if not customer_id:
                    return self._reject(422, "no_customer_id")
                self.client.suppress(customer_id)
        except Exception:
            with self.lock:  # let Customer.io deliver it again
                self.seen.pop(event_id, None)
            log.exception("flake8-cio webhook: acting on %s %s failed", metric, event_id)
            return self._reject(500, "action_failed")
        self.count("suppressed")
        return 200, JSON, b'{"status":"suppressed"}'


# -- adapters -------------------------------------------------------------------------------------------------------
# Each adapter refuses a malformed or over-limit Content-Length (400/413) before reading the body, and never reads
# more than the limit (plus one byte, to know it is over): a WebhookReceiver's max_body when its `handle` is the
# core (its counters then count the refusal too), else `max_body`. A body without a length (chunked) is read up to
# that bound where the server says the input ends (`wsgi.input_terminated`, ASGI, Flask's stream).

Core = Callable[[Mapping[str, str], bytes], Response]


def _limit(respond: Core, max_body: int | None) -> int:
    return max_body or int(getattr(getattr(respond, "__self__", None), "max_body", MAX_BODY))


def _refused(respond: Core, length: str | None, limit: int, received: int = 0) -> Response | None:
    """400 for a Content-Length that is not a number, 413 for one (or a body received so far) over the limit."""
    if length and not (length.strip().isascii() and length.strip().isdigit()):
        status, reason = 400, "bad_content_length"
    elif max(int(length or 0), received) > limit:
        status, reason = 413, "body_too_large"
    else:
        return None
    count = getattr(getattr(respond, "__self__", None), "count", None)
    if count is not None:
        count(reason)
    return status, JSON, json.dumps({"error": reason}).encode()


def wsgi_app(respond: Core, max_body: int | None = None) -> Callable[[dict[str, Any], Any], list[bytes]]:
    """A WSGI application around a core (``lambda h, b: health_response(client)``, ``receiver.handle``)."""
    limit = _limit(respond, max_body)

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        headers = {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
        length = environ.get("CONTENT_LENGTH")
        response = _refused(respond, length, limit)
        if response is None:
            size = int(length) if length else limit + 1 if environ.get("wsgi.input_terminated") else 0
            body = environ["wsgi.input"].read(size) if size else b""
            response = _refused(respond, None, limit, len(body)) or respond(headers, body)
        status, response_headers, data = response
        start_response(f"{status} {_REASONS.get(status, 'Status')}", list(response_headers.items()))
        return [data]
    return app


class asgi_app:  # noqa: N801 - used like the other adapter functions
    """An ASGI (HTTP) application around a core: a route or mount in Starlette/FastAPI, or served by uvicorn."""

    def __init__(self, respond: Core, max_body: int | None = None):
        self.respond = respond
        self.limit = _limit(respond, max_body)

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        response = _refused(self.respond, headers.get("content-length"), self.limit)
        body, more = bytearray(), response is None
        while more:
            message = await receive()
            body += message.get("body", b"")
            response = _refused(self.respond, None, self.limit, len(body))
            more = message.get("more_body", False) and response is None
        status, response_headers, data = response or self.respond(headers, bytes(body))
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in response_headers.items()]})
        await send({"type": "http.response.body", "body": data})


def flask_view(respond: Core, max_body: int | None = None) -> Callable[[], Any]:
    """A Flask view function: ``app.add_url_rule("/cio/health", view_func=flask_view(...))``."""
    limit = _limit(respond, max_body)

    def view() -> Any:
        from flask import Response as FlaskResponse, request

        refused = _refused(respond, request.headers.get("Content-Length"), limit)
        if refused is None:
            body = request.stream.read(limit + 1)
            refused = _refused(respond, None, limit, len(body)) or respond(dict(request.headers), body)
        status, headers, data = refused
        return FlaskResponse(data, status=status, headers=headers)
    view.__name__ = f"cio_view_{id(respond)}"
    return view


def django_view(respond: Core, max_body: int | None = None) -> Callable[[Any], Any]:
    """A Django view (CSRF-exempt: Customer.io signs its requests instead)."""
    from django.http import HttpResponse  # type: ignore[import-untyped]
    from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]

    limit = _limit(respond, max_body)

    def view(request: Any) -> Any:
        refused = _refused(respond, request.META.get("CONTENT_LENGTH"), limit)
        status, headers, data = refused or respond(dict(request.headers), request.body)
        response = HttpResponse(data, status=status)
        for name, value in headers.items():
            response[name] = value
        return response
    exempt: Callable[[Any], Any] = csrf_exempt(view)
    return exempt


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 413: "Payload Too Large",
            422: "Unprocessable Entity", 500: "Internal Server Error", 503: "Service Unavailable"}
