"""Health, metrics and signed reporting webhooks, each framework adapter served for real on 127.0.0.1."""
import asyncio
import hashlib
import hmac
import io
import json
import socket
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import urllib3

from flake8_cio.runtime.integrations import (WebhookReceiver, asgi_app, django_view, flask_view, health_response,
                                             metrics_response, wsgi_app)

from .conftest import break_spool, free_port, wait_for

pytestmark = pytest.mark.timeout(60)
KEY = "whsec-test-signing-key"
http = urllib3.PoolManager(retries=False, timeout=5)


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve_wsgi(app):
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def serve_asgi(app):
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_for(lambda: server.started, timeout=10)
    return server, f"http://127.0.0.1:{port}"


def flask_app(health, hook):
    from flask import Flask

    app = Flask("cio-test")
    app.add_url_rule("/health", view_func=flask_view(health))
    app.add_url_rule("/hook", view_func=flask_view(hook), methods=["POST"])
    return app


def starlette_app(health, hook):
    from starlette.applications import Starlette
    from starlette.routing import Route

    return Starlette(routes=[Route("/health", asgi_app(health)), Route("/hook", asgi_app(hook), methods=["POST"])])


def django_app(health, hook):
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, SECRET_KEY="x" * 50,
                           MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"])
        django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.urls import clear_url_caches, path

    global urlpatterns
    urlpatterns = [path("health", django_view(health)), path("hook", django_view(hook))]
    clear_url_caches()
    return get_wsgi_application()


def plain_wsgi(health, hook):
    def app(environ, start_response):
        target = health if environ["PATH_INFO"] == "/health" else hook
        return wsgi_app(target)(environ, start_response)
    return app


urlpatterns = []
ADAPTERS = {"wsgi": (plain_wsgi, serve_wsgi), "flask": (flask_app, serve_wsgi),
            "django": (django_app, serve_wsgi), "starlette": (starlette_app, serve_asgi)}


def signed(body: bytes, key=KEY, timestamp=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = hmac.new(key.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-CIO-Timestamp": timestamp, "X-CIO-Signature": signature, "Content-Type": "application/json"}


def event(event_id="01HZ0000000000000000000001", metric="bounced", customer="u1"):
    return json.dumps({"event_id": event_id, "object_type": "email", "metric": metric, "timestamp": int(time.time()),
                       "data": {"customer_id": customer, "delivery_id": "d1"}}).encode()


@pytest.fixture(params=sorted(ADAPTERS))
def served(request, make_client, fake_customerio):
    client = make_client()
    receiver = WebhookReceiver(KEY, client)
    build, serve = ADAPTERS[request.param]
    app = build(lambda h, b: health_response(client), receiver.handle)
    server, url = serve(app)
    yield url.rstrip("/"), client, receiver, fake_customerio
    if hasattr(server, "should_exit"):  # uvicorn
        server.should_exit = True
    else:
        server.shutdown()


def post(url, body, headers):
    return http.request("POST", url, body=body, headers=headers)


def test_health_stays_200_degraded_while_the_api_is_down_and_events_are_spooled(served):
    """A readiness probe on it must not take every pod out of service during a Customer.io outage (it answered
    503 whenever the breaker was open): the events are safe in the spool."""
    url, client, _, fake = served
    response = http.request("GET", url + "/health")
    body = json.loads(response.data)
    assert response.status == 200 and body["status"] == "ok" and body["circuit"] == "closed"
    assert set(body) == {"status", "reasons", "circuit", "queue_depth", "spool_depth", "spool_fill",
                         "memory_only_since", "counters"}
    assert "test-track-key" not in response.data.decode()
    fake.stop()
    client.track("u1", "clicked")
    assert wait_for(lambda: client.health()["circuit"] == "open")
    response = http.request("GET", url + "/health")
    body = json.loads(response.data)
    assert response.status == 200 and body["status"] == "degraded" and "circuit open" in body["reasons"]
    fake.restart()


def test_signed_bounce_suppresses_once(served):
    url, client, receiver, fake = served
    body = event()
    assert post(url + "/hook", body, signed(body)).status == 200
    assert post(url + "/hook", body, signed(body)).status == 200  # a redelivery
    assert client.flush(10)
    assert [a[:2] for a in fake.actions] == [("suppress", ("id", "u1"))]
    assert receiver.snapshot() == {"suppressed": 1, "duplicate": 1}


@pytest.mark.parametrize("mutate, status, reason", [
    (lambda b, h: (b, {**h, "X-CIO-Signature": "0" * 64}), 401, "bad_signature"),
    (lambda b, h: (b, signed(b, key="another-key")), 401, "bad_signature"),
    (lambda b, h: (b, {"Content-Type": "application/json"}), 401, "missing_signature"),
    (lambda b, h: (b, signed(b, timestamp=int(time.time()) - 3600)), 401, "stale_timestamp"),
    (lambda b, h: (b[:-5], signed(b[:-5])), 400, "malformed_body"),
    (lambda b, h: (b + b" " * (1 << 20), signed(b + b" " * (1 << 20))), 413, "body_too_large"),
    (lambda b, h: (b.replace(b"u1", b"u2"), h), 401, "bad_signature"),  # tampered after signing
    (lambda b, h: (b, {**h, "X-CIO-Signature": "\u00e9" * 64}), 401, "bad_signature"),  # not ASCII: latin-1 on the wire
])
def test_rejections_act_on_nothing_and_are_counted(served, mutate, status, reason):
    url, client, receiver, fake = served
    body, headers = mutate(event(), signed(event()))
    response = post(url + "/hook", body, headers)
    assert response.status == status
    client.flush(2)
    assert fake.actions == [] and receiver.snapshot() == {reason: 1}


def test_other_metrics_are_acknowledged_and_ignored(served):
    url, client, receiver, fake = served
    body = event(metric="opened")
    assert post(url + "/hook", body, signed(body)).status == 200
    client.flush(2)
    assert fake.actions == [] and receiver.snapshot() == {"ignored": 1}


def test_metrics_text(make_client, fake_customerio):
    client = make_client()
    receiver = WebhookReceiver(KEY, client)
    receiver.handle({}, b"{}")
    client.track("u1", "clicked")
    client.flush(5)
    status, headers, body = metrics_response(client, receiver)
    text = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert 'cio_runtime_events_total{outcome="sent"} 1' in text
    assert "cio_runtime_circuit_open 0" in text
    assert "cio_runtime_spool_fill 0" in text and "cio_runtime_last_error 0" in text
    assert "cio_runtime_memory_only 0" in text
    assert 'cio_webhook_requests_total{result="missing_signature"} 1' in text


def test_health_is_503_when_accepted_events_are_at_risk(loopback, make_client, tmp_path):
    server = loopback(lambda path, body: (503, {}, b""))
    memory_only = make_client(url=server.url, spool=str(tmp_path / "doomed.sqlite3"), breaker_cooldown=60)
    memory_only.track("u1", "clicked")
    assert wait_for(lambda: memory_only.health()["spool_depth"] == 1)
    break_spool(memory_only)  # the spool fails: what comes next is in memory only
    memory_only.track("u2", "clicked")
    assert wait_for(lambda: health_response(memory_only)[0] == 503)
    body = json.loads(health_response(memory_only)[2])
    assert body["status"] == "unavailable" and body["memory_only_since"] and "memory only" in body["reasons"][0]
    assert "cio_runtime_memory_only 1" in metrics_response(memory_only)[2].decode()
    full = make_client(url=server.url, spool="none", max_queue=5)
    full._spool.memory.limit = 10
    for i in range(30):
        full.track(f"u{i}", "clicked")
    assert wait_for(lambda: health_response(full)[0] == 503)
    assert any("spool full" in reason for reason in json.loads(health_response(full)[2])["reasons"])


def test_a_failing_callback_lets_customerio_redeliver():
    calls = []

    def flaky(event):
        calls.append(event["event_id"])
        if len(calls) == 1:
            raise RuntimeError("database down")

    receiver = WebhookReceiver(KEY, on_event=flaky)
    body = event()
    assert receiver.handle(signed(body), body)[0] == 500
    assert receiver.handle(signed(body), body)[0] == 200
    assert calls == [calls[0]] * 2


def test_configuration_errors():
    with pytest.raises(ValueError, match="signing key is required"):
        WebhookReceiver("", on_event=print)
    with pytest.raises(ValueError, match="runtime client to suppress through"):
        WebhookReceiver(KEY)


def raw_request(url, head: bytes) -> tuple[int, bytes]:
    """Bytes on a socket (no client library to correct them); the status and body of the answer."""
    host, port = url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e3"])
def test_a_bad_content_length_is_a_400_not_a_traceback(served, length):
    url, client, receiver, fake = served
    host = url.split("//")[1].encode()
    status, body = raw_request(url, b"POST /hook HTTP/1.1\r\nHost: " + host + b"\r\nContent-Length: " + length +
                               b"\r\nConnection: close\r\n\r\n{}")
    assert status == 400 and b"Traceback" not in body
    if body.startswith(b"{"):  # ours; uvicorn (h11) refuses it before the application is called
        assert json.loads(body) == {"error": "bad_content_length"} and receiver.snapshot() == {"bad_content_length": 1}


def test_a_declared_oversize_body_is_refused_before_it_is_read(served):
    """32 MB announced, 10 bytes sent: reading the body first would wait for the rest until the socket times out."""
    url, client, receiver, fake = served
    host = url.split("//")[1].encode()
    status, body = raw_request(url, b"POST /hook HTTP/1.1\r\nHost: " + host + b"\r\nContent-Length: 33554432\r\n"
                               b"Connection: close\r\n\r\n0123456789")
    assert status == 413 and b'{"error": "body_too_large"}' in body  # uvicorn answers chunked
    assert receiver.snapshot() == {"body_too_large": 1}


def test_asgi_reads_no_more_than_the_limit_of_a_body_without_length():
    """A chunked 32 MB body: the ASGI adapter stops receiving once past the limit (it used to read it all)."""
    receiver = WebhookReceiver(KEY, on_event=print)
    chunk, total, received, answer = b"x" * (256 << 10), 128, [], []

    async def receive():
        received.append(len(chunk))
        return {"type": "http.request", "body": chunk, "more_body": len(received) < total}

    async def send(message):
        answer.append(message)

    asyncio.run(asgi_app(receiver.handle)({"type": "http", "headers": []}, receive, send))
    assert answer[0]["status"] == 413 and len(received) == 5  # 5 x 256 KiB: the first read past 1 MiB
    assert receiver.snapshot() == {"body_too_large": 1}


def test_the_adapters_limit_is_the_receivers_unless_given():
    receiver = WebhookReceiver(KEY, on_event=print, max_body=4 << 20)
    body = event()[:-1] + b', "pad": "' + b"x" * (2 << 20) + b'"}'
    for app, status in ((wsgi_app(receiver.handle), 200), (wsgi_app(receiver.handle, max_body=1 << 20), 413)):
        server, url = serve_wsgi(app)
        try:
            assert post(url + "/", body, signed(body)).status == status
        finally:
            server.shutdown()
    assert receiver.snapshot() == {"suppressed": 1, "body_too_large": 1}


def test_a_timestamp_that_is_not_ascii_digits_is_a_401():
    receiver = WebhookReceiver(KEY, on_event=print)
    body = event()
    for timestamp in ("\uff11\uff17\uff10\uff10", "1_700_000_000", " 17 "):
        headers = {**signed(body), "X-CIO-Timestamp": timestamp}
        assert receiver.handle(headers, body)[0] == 401
    assert receiver.snapshot() == {"bad_timestamp": 3}


class EndlessInput:
    """A chunked request body the server has de-chunked: 32 MiB, counting what the application reads."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, size=-1):
        size = 32 << 20 if size is None or size < 0 else min(size, (32 << 20) - self.read_bytes)
        self.read_bytes += size
        return b"x" * size


@pytest.mark.parametrize("build", [plain_wsgi, flask_app])
def test_wsgi_adapters_read_no_more_than_the_limit_of_a_body_without_length(build):
    receiver = WebhookReceiver(KEY, on_event=print)
    app = build(lambda h, b: (200, {}, b""), receiver.handle)
    body = EndlessInput()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/hook", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
               "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": body,
               "wsgi.input_terminated": True, "wsgi.errors": io.StringIO(), "HTTP_TRANSFER_ENCODING": "chunked"}
    statuses = []
    answer = b"".join(app(environ, lambda status, headers, *exc: statuses.append(status)))
    assert statuses[0].startswith("413") and json.loads(answer) == {"error": "body_too_large"}
    assert body.read_bytes <= receiver.max_body + (64 << 10)  # the limit, plus at most one buffer of the server's
    assert receiver.snapshot() == {"body_too_large": 1}
