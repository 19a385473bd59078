"""The Data Pipelines destination: what each call becomes on the wire, what is refused at the call, dual-write
isolation, acceptance time; against the contract-checking fake and a plain loopback server of the test's own."""
import json
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flake8_cio.runtime.pipelines import PipelinesClient
from flake8_cio.runtime.testing import WRITE_KEY

from .conftest import FAST, free_port, wait_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def make_pipelines(tmp_path, fake_customerio):
    clients = []

    def make(host=None, **options):
        client = PipelinesClient(WRITE_KEY, host=host or fake_customerio.url, spool="none", **{**FAST, **options})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close(0.5)


def seconds(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def test_each_call_becomes_the_documented_message(make_pipelines, fake_customerio):
    client = make_pipelines()
    before = time.time()
    client.identify("u1", plan="pro")
    client.track("u1", "order_placed", {"total": 3}, id="01HZ0000000000000000000001", timestamp=1700000000)
    client.pageview("u1", "/pricing", referrer="ads")
    client.track_anonymous("anon-1", "viewed", {"x": 1})
    client.delete("u2")
    client.suppress("u3")
    client.unsuppress("u3")
    client.add_device("u1", "tok-1", "ios")
    client.delete_device("u1", "tok-1")
    assert client.flush(10)
    messages = fake_customerio.pipelines
    assert [(m["type"], m.get("userId") or m["anonymousId"], m.get("event") or m.get("name")) for m in messages] == [
        ("identify", "u1", None), ("track", "u1", "order_placed"), ("page", "u1", "/pricing"),
        ("track", "anon-1", "viewed"), ("track", "u2", "User Deleted"), ("track", "u3", "User Suppressed"),
        ("track", "u3", "User Unsuppressed"), ("track", "u1", "Device Created or Updated"),
        ("track", "u1", "Device Deleted")]
    assert messages[0]["traits"] == {"plan": "pro"}
    assert messages[1]["properties"] == {"total": 3} and messages[1]["timestamp"] == "2023-11-14T22:13:20+00:00"
    assert messages[1]["messageId"] == "01HZ0000000000000000000001"
    assert messages[2]["properties"] == {"referrer": "ads"}
    assert messages[7]["context"] == {"device": {"token": "tok-1", "type": "ios"}} and "properties" not in messages[7]
    assert messages[8]["context"] == {"device": {"token": "tok-1"}}
    assert len({m["messageId"] for m in messages}) == 9 and all(len(m["messageId"]) == 26 for m in messages)
    assert all(before - 1 <= seconds(m["timestamp"]) <= time.time() for i, m in enumerate(messages) if i != 1)
    assert fake_customerio.pipelines_dropped == [] and client.health()["counters"]["sent"] == 9
    assert {r.headers.get("X-Strict-Mode") for r in fake_customerio.requests} == {"1"}


@pytest.mark.parametrize("call, message", [
    (lambda c: c.batch([{"type": "person", "identifiers": {"email": "ann@example.com"}, "action": "identify",
                         "attributes": {"plan": "pro"}}]), "a person identified by email"),
    (lambda c: c.track("cio_a1b2", "paid"), "a person identified by cio_id"),
    (lambda c: c.batch([{"type": "person", "identifiers": {"phone": "+15555550100"}, "action": "delete"}]),
     "identified by phone"),
    (lambda c: c.batch([{"type": "object", "identifiers": {"object_type_id": "1", "object_id": "acme"},
                         "action": "identify", "attributes": {}}]), "the Track operation object/identify"),
    (lambda c: c.batch([{"type": "person", "identifiers": {"id": "u1"}, "action": "add_relationships",
                         "cio_relationships": []}]), "person/add_relationships"),
    (lambda c: c.merge_customers("id", "u1", "id", "u2"), "the Track operation person/merge"),
    (lambda c: c.track_anonymous(None, "invite_sent", {"recipient": "a@example.com"}), "an invite"),
    (lambda c: c.add_device("u1", "tok", "ios", last_used=1700000000, app_version="2.0"),
     "device attributes and last_used"),
])
def test_what_has_no_documented_equivalent_is_refused_at_the_call(make_pipelines, fake_customerio, call, message):
    client = make_pipelines()
    with pytest.raises(ValueError, match=f"Data Pipelines has no documented equivalent of .*{message}"):
        call(client)
    client.track("u1", "after")
    assert client.flush(10)
    assert [m["event"] for m in fake_customerio.pipelines] == ["after"]
    assert client.health()["counters"]["accepted"] == 1


def test_dual_write_isolates_each_message(make_client, make_pipelines, fake_customerio):
    """Refusals on the secondary are per message: the primary delivers everything, the secondary all it can."""
    pipelines = make_pipelines(batch_size=500)
    client = make_client(secondary=pipelines, batch_size=500)
    for i in range(250):
        client.track(f"u{i}", "clicked", {"i": i})
        if i == 100:
            client.identify("cio_a1b2", plan="pro")
            client.merge_customers("id", "u1", "email", "old@example.com")
    assert client.flush(10) and pipelines.flush(10)
    assert sorted(e["data"]["i"] for e in fake_customerio.events) == list(range(250))
    assert sorted(m["properties"]["i"] for m in fake_customerio.pipelines) == list(range(250))
    assert fake_customerio.profiles == {("cio_id", "a1b2"): {"plan": "pro"}}
    assert [a[0] for a in fake_customerio.actions] == ["merge"]
    assert client.health()["counters"]["sent"] == 252 and pipelines.health()["counters"]["sent"] == 250
    assert client.health()["counters"]["worker_errors"] == 2  # the two refusals, logged by the primary


class Recorder:
    """A plain loopback HTTP server: records each request and answers from `statuses` (then 200)."""

    def __init__(self, port=0, statuses=()):
        self.requests, self.statuses = [], list(statuses)
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = recorder.statuses.pop(0) if recorder.statuses else 200
                recorder.requests.append((time.time(), self.path, dict(self.headers), json.loads(body), status))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_plain_server_sees_strict_mode_auth_and_devices_in_context(make_pipelines):
    server = Recorder(statuses=[522])  # the proxy in front of the API: retried like any 5xx
    try:
        client = make_pipelines(host=server.url)
        client.add_device("u1", "tok-9", "android")
        assert client.flush(10)
        assert [r[4] for r in server.requests] == [522, 200]
        _, path, headers, body, _ = server.requests[-1]
        assert path == "/v1/batch" and headers["X-Strict-Mode"] == "1"
        assert headers["Authorization"] == "Basic dGVzdC13cml0ZS1rZXk6"  # base64("test-write-key:")
        [message] = body["batch"]
        assert message["context"] == {"device": {"token": "tok-9", "type": "android"}}
        assert server.requests[0][3] == body  # the retry is the same message, same messageId
        assert client.health()["counters"]["sent"] == 1
    finally:
        server.stop()


def test_acceptance_time_survives_an_outage(make_pipelines):
    """Messages journaled while the API is down keep the time they were accepted, not the time they arrive."""
    port = free_port()
    client = make_pipelines(host=f"http://127.0.0.1:{port}")
    accepted = time.time()
    client.track("u1", "clicked")
    client.delete("u2")
    assert wait_for(lambda: client.health()["counters"]["retried"] >= 1)
    time.sleep(1.2)
    server = Recorder(port=port)
    try:
        assert wait_for(lambda: client.health()["counters"]["sent"] == 2)  # flush() is False while the breaker is open
        messages = [m for r in server.requests for m in r[3]["batch"]]
        assert sorted(m["event"] for m in messages) == ["User Deleted", "clicked"]
        arrived = server.requests[0][0]
        assert all(int(accepted) <= seconds(m["timestamp"]) < arrived - 1 for m in messages)
        assert len(messages) == 2 and wait_for(lambda: client.health()["spool_depth"] == 0)
    finally:
        server.stop()


def test_region_picks_the_pipelines_host():
    client = PipelinesClient(WRITE_KEY, region="EU", spool="none")
    assert client._track_url == "https://cdp-eu.customer.io"
    client.close(0)
    with pytest.raises(ValueError, match="region 'mars'"):
        PipelinesClient(WRITE_KEY, region="mars", spool="none")


def test_strict_mode_dead_letters_an_invalid_message_alone(make_pipelines, fake_customerio):
    """An operation the mapping passes through but Pipelines rejects (an event named by a number) is reported by the
    API because of X-Strict-Mode, so it is dead-lettered alone instead of answered 200 and silently dropped."""
    client = make_pipelines(batch_size=10)
    client.track("u1", "before")
    client.batch([{"type": "person", "identifiers": {"id": "u1"}, "action": "event", "name": 404}])
    client.track("u1", "after")
    assert client.flush(10)
    assert [m["event"] for m in fake_customerio.pipelines] == ["before", "after"]
    assert fake_customerio.pipelines_dropped == []
    counters = client.health()["counters"]
    assert counters["sent"] == 2 and counters["failed"] == 1
    violations = fake_customerio.take_violations()  # one per request that carried it while the batch was bisected
    assert violations and all("event: 404 is not of type 'string'" in str(v) for v in violations)
