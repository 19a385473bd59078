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
from typing import Callable, Iterable, Mapping

from .delivery import log

Response = tuple[int, dict, bytes]
JSON = {"Content-Type": "application/json"}

# -- health -------------------------------------------------------------------------------------------------------


def health_response(client) -> Response:
    """200 while the circuit is closed and the worker runs, else 503 with the reason. Depths, circuit and counters
    only: never credentials or payloads."""
    health = client.health()
    reasons = []
    if health["circuit"] != "closed":
        reasons.append(f"circuit {health['circuit']}")
    if health["counters"]["accepted"] and not health["worker_alive"] and not client._closed:
        reasons.append("worker not running")
    if client._closed:
        reasons.append("client closed")
    body = {
        "status": "ok" if not reasons else "unavailable",
        "reasons": reasons,
        "circuit": health["circuit"],
        "queue_depth": health["queue_depth"],
        "spool_depth": health["spool_depth"],
        "counters": health["counters"],
    }
    return (503 if reasons else 200), JSON, json.dumps(body).encode()


def metrics_response(client, webhooks: "WebhookReceiver | None" = None) -> Response:
    """The runtime's counters in the Prometheus text exposition format (no prometheus_client needed)."""
    health = client.health()
    lines = [
        "# HELP cio_runtime_events_total Events by outcome in the flake8-cio runtime client.",
        "# TYPE cio_runtime_events_total counter",
        *(f'cio_runtime_events_total{{outcome="{name}"}} {value}' for name, value in health["counters"].items()),
        "# HELP cio_runtime_queue_depth Events waiting in memory.",
        "# TYPE cio_runtime_queue_depth gauge",
        f"cio_runtime_queue_depth {health['queue_depth']}",
        "# HELP cio_runtime_spool_depth Events in the spool, not yet delivered.",
        "# TYPE cio_runtime_spool_depth gauge",
        f"cio_runtime_spool_depth {health['spool_depth']}",
        "# HELP cio_runtime_circuit_open 1 while the circuit breaker is open or half-open.",
        "# TYPE cio_runtime_circuit_open gauge",
        f"cio_runtime_circuit_open {0 if health['circuit'] == 'closed' else 1}",
    ]
    if webhooks is not None:
        lines += ["# HELP cio_webhook_requests_total Reporting webhook requests by result.",
                  "# TYPE cio_webhook_requests_total counter",
                  *(f'cio_webhook_requests_total{{result="{name}"}} {value}'
                    for name, value in sorted(webhooks.snapshot().items()))]
    return 200, {"Content-Type": "text/plain; version=0.0.4"}, ("\n".join(lines) + "\n").encode()


# -- reporting webhooks -------------------------------------------------------------------------------------------

SUPPRESSING_METRICS = frozenset({"bounced", "spammed", "unsubscribed"})


class WebhookReceiver:
    """Verifies Customer.io reporting webhooks (HMAC-SHA256 of ``v0:<timestamp>:<raw body>`` with the signing key,
    hex, compared in constant time; timestamps older or newer than `tolerance` seconds are replays) and suppresses
    the person on hard bounces, spam complaints and unsubscribes, once per `event_id`."""

    def __init__(self, signing_key: str, client=None, *, on_event: Callable[[dict], None] | None = None,
                 metrics: Iterable[str] = SUPPRESSING_METRICS, tolerance: float = 300.0, max_body: int = 1 << 20,
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

    def snapshot(self) -> dict:
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
        try:
            sent_at = int(timestamp)
        except ValueError:
            return self._reject(401, "bad_timestamp")
        if abs(time.time() - sent_at) > self.tolerance:
            return self._reject(401, "stale_timestamp")
        expected = hmac.new(self.key, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.strip().lower()):
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
            else:
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


def wsgi_app(respond: Callable[[Mapping[str, str], bytes], Response]):
    """A WSGI application around a core (``lambda h, b: health_response(client)``, ``receiver.handle``)."""
    def app(environ, start_response):
        headers = {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, response_headers, data = respond(headers, body)
        start_response(f"{status} {_REASONS.get(status, 'Status')}", list(response_headers.items()))
        return [data]
    return app


class asgi_app:  # noqa: N801 - used like the other adapter functions
    """An ASGI (HTTP) application around a core: a route or mount in Starlette/FastAPI, or served by uvicorn."""

    def __init__(self, respond: Callable[[Mapping[str, str], bytes], Response]):
        self.respond = respond

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        status, response_headers, data = self.respond(headers, body)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in response_headers.items()]})
        await send({"type": "http.response.body", "body": data})


def flask_view(respond: Callable[[Mapping[str, str], bytes], Response]):
    """A Flask view function: ``app.add_url_rule("/cio/health", view_func=flask_view(...))``."""
    def view():
        from flask import Response as FlaskResponse, request

        status, headers, data = respond(dict(request.headers), request.get_data())
        return FlaskResponse(data, status=status, headers=headers)
    view.__name__ = f"cio_view_{id(respond)}"
    return view


def django_view(respond: Callable[[Mapping[str, str], bytes], Response]):
    """A Django view (CSRF-exempt: Customer.io signs its requests instead)."""
    from django.http import HttpResponse
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def view(request):
        status, headers, data = respond(dict(request.headers), request.body)
        response = HttpResponse(data, status=status)
        for name, value in headers.items():
            response[name] = value
        return response
    return view


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 413: "Payload Too Large",
            422: "Unprocessable Entity", 500: "Internal Server Error", 503: "Service Unavailable"}
