"""HTTP answers the bundled fake does not give, from plain loopback servers of the tests' own: region redirects,
configuration errors (pause and keep), every retry class, malformed Retry-After. Counts are exact."""
import socket
import threading

import pytest

from flake8_cio.runtime import DeliveryError, RuntimeClient, get_app_client
from flake8_cio.runtime.testing import API_KEY, SITE_ID

from .conftest import FAST, open_with, tally, wait_for

pytestmark = pytest.mark.timeout(60)


def client_for(url, tmp_path, **options):
    return RuntimeClient(SITE_ID, API_KEY, track_url=url, spool=str(tmp_path / "s.sqlite3"), **{**FAST, **options})


def track(client, count, name="clicked"):
    """`count` events in one call: one journal write, so the requests the tests count do not depend on when the
    send thread wakes (separate track() calls may go in one request or several)."""
    client.batch([{"type": "person", "identifiers": {"id": f"u{i}"}, "action": "event", "name": name,
                   "attributes": {"i": i}} for i in range(count)])
    return list(range(count))


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_region_redirect_is_followed_with_credentials_and_remembered(loopback, tmp_path, status):
    right = loopback()
    wrong = loopback(lambda path, body: (status, {"Location": right.url + path}, b""))
    client = client_for(wrong.url, tmp_path, batch_size=10)
    sent = track(client, 30)
    assert client.flush(10)
    assert tally(right.accepted, sent) == {"sent": 30, "delivered": 30, "lost": 0, "duplicated": 0, "foreign": 0,
                                           "extra_ids": 0}
    assert len(wrong.requests) == 1  # then straight to the new host
    assert {r[1]["Authorization"] for r in right.requests} == {wrong.requests[0][1]["Authorization"]}
    health = client.health()
    assert health["redirected_to"] == right.url and "region" in health["last_error"]
    client.close(1)


def test_a_redirect_elsewhere_pauses_and_keeps_every_event(loopback, tmp_path):
    answers = {"status": 302}
    server = loopback(lambda path, body: (answers["status"], {"Location": "https://example.com" + path}, b"{}"))
    client = client_for(server.url, tmp_path)
    sent = track(client, 20)
    assert wait_for(lambda: open_with(client, 20))  # health's depth is up to STATS_EVERY old: waited for too
    assert "example.com" in client.health()["last_error"] and server.accepted == []
    answers["status"] = 200  # the setting is fixed
    assert wait_for(lambda: client.health()["spool_depth"] == 0, timeout=20)
    assert tally(server.accepted, sent)["lost"] == 0 and client.health()["counters"]["failed"] == 0
    client.close(1)


@pytest.mark.parametrize("status, words", [(404, "track_url"), (405, "track_url"), (401, "credentials")])
def test_configuration_errors_pause_and_keep_every_event(loopback, tmp_path, status, words):
    answers = {"status": status}
    server = loopback(lambda path, body: (answers["status"], {}, b'{"meta":{"error":"x"}}'))
    client = client_for(server.url, tmp_path)
    sent = track(client, 20)
    assert wait_for(lambda: open_with(client, 20))
    assert words in client.health()["last_error"]
    answers["status"] = 200
    assert wait_for(lambda: client.health()["spool_depth"] == 0, timeout=20)
    counts = tally(server.accepted, sent)
    assert counts["lost"] == 0 and counts["duplicated"] == 0 and client.health()["counters"]["failed"] == 0
    assert client.health()["last_error"] is None  # fixed: nothing left to say
    client.close(1)


@pytest.mark.parametrize("status", [408, 429, 500, 501, 502, 503, 504, 505, 520, 521, 522, 523, 524, 599])
def test_every_5xx_408_and_429_is_retried_until_delivered(loopback, tmp_path, status):
    failures = iter(range(2))
    server = loopback(lambda path, body: (status, {}, b"") if next(failures, None) is not None else (200, {}, b"{}"))
    client = client_for(server.url, tmp_path)
    sent = track(client, 10)
    assert client.flush(10)
    assert tally(server.accepted, sent)["delivered"] == 10 and len(server.requests) == 3
    assert client.health()["counters"]["failed"] == 0
    client.close(1)


def test_a_dropped_connection_is_retried(tmp_path, loopback):
    """A raw socket server that closes the first connection without answering, then a healthy one."""
    healthy = loopback()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def rude():
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.close()
        listener.close()

    threading.Thread(target=rude, daemon=True).start()
    client = client_for(f"http://127.0.0.1:{listener.getsockname()[1]}", tmp_path)
    sent = track(client, 5)
    # every event is retried at least once (the closed listener then refuses: more retries, counted too)
    assert wait_for(lambda: client.health()["counters"]["retried"] >= 5)
    client.close(0.5)
    again = client_for(healthy.url, tmp_path)
    assert again.flush(10) and tally(healthy.accepted, sent)["lost"] == 0
    again.close(1)


@pytest.mark.parametrize("status", [400, 409, 410, 422])
def test_other_4xx_are_permanent_for_the_bad_item_only(loopback, tmp_path, status):
    server = loopback(lambda path, body: (status, {}, b'{"meta":{"error":"bad"}}') if b'"bad"' in body
                      else (200, {}, b"{}"))
    reported = []
    client = client_for(server.url, tmp_path, on_error=lambda reasons, ops: reported.append((reasons, ops)))
    sent = track(client, 10)
    client.track("u1", "bad")
    assert client.flush(10)
    assert tally(server.accepted, sent)["delivered"] == 10 and client.health()["counters"]["failed"] == 1
    ((reasons, ops),) = reported
    assert [op["name"] for op in ops] == ["bad"] and list(reasons.values()) == [f"HTTP {status}"]
    client.close(1)


def test_a_malformed_retry_after_is_a_delivery_error_not_a_crash(loopback):
    server = loopback(lambda path, body: (503, {"Retry-After": "nan"}, b""))
    api = get_app_client("app-key", app_url=server.url, retries=1, max_backoff=0.1)
    with pytest.raises(DeliveryError) as error:
        api.send_email({"transactional_message_id": 1, "identifiers": {"id": "u1"}, "to": "a@example.com"})
    assert error.value.status == 503 and len(server.requests) == 2


def test_app_requests_are_encoded_as_the_sdk_encodes_them(loopback):
    from datetime import datetime, timezone

    server = loopback(lambda path, body: (200, {}, b'{"delivery_id": "d1", "queued_at": 1}'))
    api = get_app_client("app-key", app_url=server.url)
    api.send_email({"transactional_message_id": 1, "identifiers": {"id": "u1"},
                    "send_at": datetime(2030, 1, 1, tzinfo=timezone.utc)})
    assert server.accepted[0]["send_at"] == 1893456000
