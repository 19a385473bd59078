"""close(timeout) keeps probing and delivering until its timeout; flush() after close(); no personal data in the
logs at INFO and above."""
import json
import logging
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from flake8_cio.runtime import RuntimeClient
from flake8_cio.runtime.testing import API_KEY, SITE_ID

from .conftest import FAST, tally, wait_for

pytestmark = pytest.mark.timeout(120)


def test_close_keeps_probing_an_open_circuit_until_its_timeout(loopback, tmp_path):
    """20 % of requests fail, and a burst of failures opens the breaker with a long cooldown: close() still
    delivers everything before its timeout."""
    def answer(path, body):
        n = len(server.requests)
        return (503, {}, b"") if n % 5 == 0 or 4 <= n <= 8 else (200, {}, b"{}")

    server = loopback(answer)
    client = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=str(tmp_path / "s.sqlite3"),
                           **{**FAST, "batch_size": 50, "breaker_cooldown": 120, "retry_budget": 3})
    sent = list(range(2000))
    for i in sent:
        client.track(f"u{i}", "clicked", {"i": i})
    assert wait_for(lambda: client.health()["circuit"] == "open")
    assert client.close(60) is True
    counts = tally(server.accepted, sent)
    assert counts["lost"] == 0 and counts["duplicated"] == 0 and client.health()["spool_depth"] == 0


def test_flush_after_close_answers_without_touching_the_closed_spool(make_client):
    client = make_client()
    client.track("u1", "clicked")
    assert client.close(5) is True
    assert client.flush(1) is True


def test_logs_at_info_and_above_carry_no_event_names_or_bodies(loopback, make_client, caplog):
    secret = "signup_bob@example.com_4155550100"
    server = loopback(lambda path, body: (400, {}, b'{"meta":{"error":"' + body[:200] + b'"}}') if b"Bad" in body
                      else (503, {}, b"echo " + body) if len(server.requests) < 3 else (200, {}, b"{}"))
    caplog.set_level(logging.DEBUG, logger="flake8_cio.runtime")
    client = make_client(url=server.url)
    client.track("u1", secret, {"email": "bob@example.com"})
    client.track("u1", "Bad " + secret)
    client.track("u1", "big_" + secret, {"blob": "x" * 40_000})
    assert wait_for(lambda: client.health()["counters"]["failed"] == 1 and client.health()["spool_depth"] == 0)
    loud = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    quiet = " ".join(r.getMessage() for r in caplog.records if r.levelno < logging.INFO)
    assert "HTTP 503" in loud and "not snake_case" in loud and "rejected" in loud  # it did log, redacted
    assert secret not in loud and "bob@example.com" not in loud
    assert secret in quiet  # at DEBUG, for whoever turns it on


@pytest.mark.parametrize("spool", ["sqlite", "redis"])
def test_a_client_idled_while_a_send_hangs_and_woken_again_loses_and_repeats_nothing(loopback, tmp_path, monkeypatch,
                                                                                    request, spool):
    """Idling gives up waiting for a hung send (IDLE_JOIN_SECONDS) and leaves the spool open; the next call starts
    a second sender on the same spool while the first is still in flight. Claims keep the two apart."""
    monkeypatch.setattr("flake8_cio.runtime.client.IDLE_JOIN_SECONDS", 0.2)
    released = threading.Event()

    def answer(path, body):
        if len(server.requests) == 1:
            released.wait(30)
        return 200, {}, b"{}"

    server = loopback(answer)
    where = request.getfixturevalue("redis_url").replace("/0", "/2") if spool == "redis" else str(tmp_path / "s.db")
    client = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=where, **{**FAST, "timeout": 30})
    sent = list(range(400))
    for i in sent[:200]:
        client.track(f"u{i}", "clicked", {"i": i})
    assert wait_for(lambda: len(server.requests) == 1)
    client.idle(0.1)
    old_senders = [t for t in threading.enumerate() if t.name == "flake8-cio-send"]
    for i in sent[200:]:
        client.track(f"u{i}", "clicked", {"i": i})
    assert wait_for(lambda: tally(server.accepted, sent[200:])["lost"] == 0)
    assert any(t.is_alive() for t in old_senders)  # the first send is still in flight
    released.set()
    assert client.flush(20)
    counts = tally(server.accepted, sent)
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, 0, 0)
    client.close(1)


@pytest.mark.parametrize("timeout, bound", [(0, 0.4), (1, 1.4)])
def test_close_keeps_to_its_timeout_while_a_send_hangs(loopback, tmp_path, timeout, bound):
    """One deadline for the whole close (it stopped the worker with 0.5 s more after the wait: 0.5 s for close(0),
    1.5 s for close(1)); with a secondary, the two deliver at once within that deadline (2-3 s before)."""
    server = loopback(lambda path, body: None)  # every request hangs
    secondary = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=str(tmp_path / "2.sqlite3"),
                              **{**FAST, "timeout": 30})
    client = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=str(tmp_path / "1.sqlite3"),
                           secondary=secondary, **{**FAST, "timeout": 30})
    client.track("u1", "clicked")
    assert wait_for(lambda: server.hanging == 2)  # both sends are in flight
    start = time.monotonic()
    assert client.close(timeout) is False
    assert time.monotonic() - start < bound and secondary._closed


def test_interpreter_exit_closes_every_client_at_once(loopback, tmp_path):
    """Three tenants whose sends hang, shutdown_timeout=2: exit takes about 2 s, not 3 x 2 s (8.2 s before)."""
    server = loopback(lambda path, body: None)
    script = textwrap.dedent("""
        import sys
        from flake8_cio.runtime import get_client
        for i in range(3):
            get_client(f"site{i}", "key", track_url=sys.argv[1], spool=f"{sys.argv[2]}/{i}.sqlite3",
                       shutdown_timeout=2, timeout=30).track("u1", "clicked")
        sys.stdin.read()  # until the test has seen the three sends hang
    """)
    process = subprocess.Popen([sys.executable, "-c", script, server.url, str(tmp_path)], stdin=subprocess.PIPE)
    assert wait_for(lambda: server.hanging == 3, timeout=20)
    start = time.monotonic()
    process.stdin.close()
    assert process.wait(30) == 0
    assert 1.5 < time.monotonic() - start < 3.5


def test_a_207_item_message_is_logged_at_debug_only(loopback, make_client, caplog):
    """The API's message about a rejected item may repeat its value (an email): ERROR says reason, field and batch
    index; the message goes to DEBUG and to on_error."""
    def answer(path, body):  # the index of alice's event in whichever batch carries it (under load: alone)
        index = next((i for i, op in enumerate(json.loads(body)["batch"]) if "alice" in json.dumps(op)), None)
        errors = [] if index is None else [{"batch_index": index, "reason": "invalid", "field": "email",
                                            "message": "alice@example.com is bad"}]
        return 207, {}, json.dumps({"errors": errors}).encode()

    server = loopback(answer)
    reported = []
    caplog.set_level(logging.DEBUG, logger="flake8_cio.runtime")
    client = make_client(url=server.url, batch_size=2, on_error=lambda reasons, ops: reported.extend(reasons.values()))
    client.batch([  # one call: one journal write, one request (two track() calls may go in two)
        {"type": "person", "identifiers": {"id": "u1"}, "action": "event", "name": "signed_up", "attributes": {"i": 0}},
        {"type": "person", "identifiers": {"id": "u2"}, "action": "event", "name": "signed_up",
         "attributes": {"i": 1, "email": "alice@example.com"}}])
    assert client.flush(10) and client.health()["counters"]["failed"] == 1
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert any("invalid email (batch index" in m for m in loud) and not any("alice" in m for m in loud)
    assert any("alice@example.com is bad" in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG)
    assert reported in (["invalid email (batch index 1): alice@example.com is bad"],
                        ["invalid email (batch index 0): alice@example.com is bad"])



def test_a_batch_of_rejections_logs_a_few_lines_and_a_count(loopback, make_client, caplog):
    """A 207 that refuses every operation of a batch of 40: five ERROR lines with their reasons and one that counts
    the other 35, not 40 lines (a 1,000-operation batch would flood the log); on_error hears each of the 40."""
    def answer(path, body):
        count = len(json.loads(body)["batch"])
        return 207, {}, json.dumps({"errors": [{"batch_index": i, "reason": "invalid", "field": "email"}
                                               for i in range(count)]}).encode()

    server = loopback(answer)
    reported = []
    caplog.set_level(logging.INFO, logger="flake8_cio.runtime")
    client = make_client(url=server.url, on_error=lambda reasons, ops: reported.extend(ops))
    client.batch([{"type": "person", "identifiers": {"id": f"u{i}"}, "action": "event", "name": "signed_up",
                   "attributes": {"i": i}} for i in range(40)])  # one call: one journal write, one request
    assert client.flush(10) and client.health()["counters"]["failed"] == 40
    rejected = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and "for good" in r.getMessage()]
    assert sum("rejected an operation for good (invalid email" in m for m in rejected) == 5
    assert [m for m in rejected if "more operations" in m] == [
        "flake8-cio runtime: and 35 more operations of that batch rejected for good (not logged one by one)"]
    assert sorted(op["attributes"]["i"] for op in reported) == list(range(40))


def test_last_error_clears_once_delivery_succeeds_again(loopback, make_client):
    answers = {"status": 503}
    server = loopback(lambda path, body: (answers["status"], {"Retry-After": "0"}, b""))
    client = make_client(url=server.url)
    client.track("u1", "clicked", {"i": 1})
    assert wait_for(lambda: client.health()["last_error"] == "HTTP 503")
    answers["status"] = 200
    assert wait_for(lambda: client.health()["counters"]["sent"] == 1)
    assert client.health()["last_error"] is None  # it said HTTP 503 for as long as the process lived


OTHER = textwrap.dedent("""
    import sys
    from flake8_cio.runtime import RuntimeClient
    client = RuntimeClient("other-site", "key", track_url=sys.argv[1], spool=sys.argv[2], timeout=60,
                           flush_interval=0.02)
    client.batch([{"type": "person", "identifiers": {"id": f"o{i}"}, "action": "event", "name": "theirs"}
                  for i in range(20)])  # one write, one request (straight from its journal: a loan in the spool)
    sys.stdin.read()  # alive, its send hanging, until the test is done
""")


def test_close_and_flush_count_this_process_s_events_on_a_shared_spool(loopback, tmp_path, caplog):
    """Another live process's 20 events wait in the shared file (its send hangs): they are not ours to report as
    undelivered at close (it warned \"closing with 20 events\" and flush() after close said False), nor to send."""
    hung, ours = loopback(lambda path, body: None), loopback()
    path = str(tmp_path / "shared.sqlite3")
    other = subprocess.Popen([sys.executable, "-c", OTHER, hung.url, path], stdin=subprocess.PIPE)
    try:
        assert wait_for(lambda: hung.hanging == 1, timeout=20)
        held = "SELECT (SELECT COUNT(*) FROM loans), (SELECT COUNT(*) FROM spool WHERE claimed_by IS NOT NULL)"
        assert __import__("sqlite3").connect(path).execute(held).fetchone() in ((1, 0), (0, 20))  # on loan, or claimed
        client = RuntimeClient(SITE_ID, API_KEY, track_url=ours.url, spool=path, **FAST)
        for i in range(5):
            client.track(f"u{i}", "mine", {"i": i})
        assert client.close(5) is True and client.flush(1) is True
        assert tally(ours.accepted, range(5))["lost"] == 0 and len(ours.accepted) == 5
        assert "undelivered" not in caplog.text
    finally:
        other.stdin.close()
        other.kill()
        other.wait()


@pytest.mark.parametrize("outcome", ["answered", "timed out"])
def test_a_send_that_ends_after_close_settles_nothing_and_says_so_quietly(loopback, tmp_path, caplog, outcome):
    """close() gave up on a hung send; when it ends, the worker used to write to the closed spool: two ERROR
    tracebacks ("Cannot operate on a closed database"), worker_errors=2 and a last_error on a closed client (a
    timeout also logged "delivery failed"). Its events stay in the file; the next start sends them (again, under
    the same ids, if the send had in fact been answered)."""
    caplog.set_level(logging.INFO, logger="flake8_cio.runtime")
    release = threading.Event()

    def answer(path, body):
        if len(server.requests) == 1:  # the first request hangs until released
            release.wait(30)
        return 200, {}, b"{}"

    server = loopback(answer)
    path = str(tmp_path / "s.sqlite3")
    client = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=path,
                           **{**FAST, "timeout": 30 if outcome == "answered" else 1})
    client.batch([{"type": "person", "identifiers": {"id": f"u{i}"}, "action": "event", "name": "clicked",
                   "attributes": {"i": i}} for i in range(3)])  # one journal write: all three in the hung request
    assert wait_for(lambda: len(server.requests) == 1)
    client.close(0.2)
    if outcome == "answered":
        release.set()
    assert wait_for(lambda: "a send in flight at close() ended after it" in caplog.text)
    time.sleep(0.2)
    health = client.health()
    assert health["counters"]["worker_errors"] == 0 and health["last_error"] is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "closing with" not in r.getMessage()]
    again = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=path, **FAST)
    assert again.flush(10)
    counts = tally(server.accepted, range(3))
    repeated = 3 if outcome == "answered" else 0
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, repeated, 0)
    again.close(1)
    release.set()
