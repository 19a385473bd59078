"""The runtime client against a real HTTP server on 127.0.0.1: delivery, batching, faults."""
import re
import time

import pytest
from customerio import CustomerIOException

from flake8_cio.runtime import RuntimeClient, get_app_client

from .conftest import open_with, wait_for

pytestmark = pytest.mark.timeout(60)


def test_calls_arrive_as_batches_with_ulid_ids(make_client, fake_customerio):
    client = make_client(batch_size=50)
    for i in range(120):
        client.track(f"u{i}", "order_placed", {"n": i})
    client.identify("u1", plan="pro", created_at=1700000000)
    assert client.flush(10)
    events = fake_customerio.events_named("order_placed")
    assert sorted(e["data"]["n"] for e in events) == list(range(120))
    assert all(len(e["id"]) == 26 for e in events)
    assert fake_customerio.profiles[("id", "u1")] == {"plan": "pro", "created_at": 1700000000}
    assert fake_customerio.request_count("/api/v2/batch") <= 5
    assert client.health()["counters"]["sent"] == 121


def test_every_method_reaches_the_api(make_client, fake_customerio):
    client = make_client()
    client.pageview("u1", "/pricing", referrer="ads")
    client.backfill("u1", "imported", 1600000000, source="csv")
    client.add_device("u1", "tok-1", "ios", last_used=1700000000, app_version="2.0")
    client.delete_device("u1", "tok-1")
    client.suppress("u1")
    client.unsuppress("u1")
    client.merge_customers("id", "u1", "email", "old@example.com")
    client.delete("u2")
    client.track_anonymous("anon-1", "invite_sent", {"recipient": "a@example.com"})
    assert client.flush(10)
    kinds = [a[0] for a in fake_customerio.actions]
    assert kinds == ["add_device", "delete_device", "suppress", "unsuppress", "merge", "delete"]
    assert fake_customerio.actions[0][2] == {"token": "tok-1", "platform": "ios", "last_used": 1700000000,
                                             "attributes": {"app_version": "2.0"}}
    names = {(e["type"], e["name"], e["timestamp"] if e["name"] == "imported" else "now")
             for e in fake_customerio.events}
    assert names == {("page", "/pricing", "now"), ("event", "imported", 1600000000), ("event", "invite_sent", "now")}
    assert all(abs(e["timestamp"] - time.time()) < 60 for e in fake_customerio.events if e["name"] != "imported")
    assert fake_customerio.events_named("invite_sent")[0]["identifier"] == ("anonymous_id", "anon-1")


def test_calls_return_in_microseconds_while_the_server_is_slow(make_client, fake_customerio):
    fake_customerio.fail(status=0, times=100, delay=0.5)  # every answer takes 0.5 s
    client = make_client()
    client.track("warm", "warm_up")
    durations = []
    for i in range(500):
        start = time.perf_counter()
        client.track(f"u{i}", "clicked")
        durations.append(time.perf_counter() - start)
    durations.sort()
    assert durations[int(len(durations) * 0.99)] < 0.005


@pytest.mark.parametrize("call, message", [
    (lambda c: c.identify(""), "id in identify cannot be blank"),
    (lambda c: c.track(None, "x"), "customer_id in track cannot be blank"),
    (lambda c: c.merge_customers("phone", "1", "id", "2"), "invalid primary id type 'phone'"),
    (lambda c: c.identify(b"u1"), "id in identify is bytes"),  # the official client would send "b'u1'"
    (lambda c: c.track("u1", b"order_placed"), "event name is bytes"),  # its JSON refuses bytes: we sent "b'...'"
    (lambda c: c.track("u1", bytearray(b"order_placed")), "event name is bytes"),
    (lambda c: c.pageview("u1", b"/home"), "page name is bytes"),
])
def test_what_the_official_client_refuses_raises_its_exception_at_once(make_client, call, message):
    with pytest.raises(CustomerIOException, match=message) as raised:
        call(make_client())
    assert not isinstance(raised.value, (ValueError, TypeError))  # a ValueError handler never saw it before


def test_a_lone_surrogate_in_an_id_raises_what_the_official_client_raises(make_client):
    """The official client fails encoding the id into its URL: a UnicodeEncodeError, no CustomerIOException."""
    with pytest.raises(UnicodeEncodeError, match="customer_id in track holds a lone surrogate") as raised:
        make_client().track("u\udc00", "x")
    assert not isinstance(raised.value, CustomerIOException)


def test_what_only_customerio_refuses_is_reported_not_raised(make_client, fake_customerio):
    reported = []
    client = make_client(on_error=lambda reasons, ops: reported.extend(reasons.values()))
    client.track("u1", "  ")
    client.identify("x" * 151)
    client.identify("u1", plan="pro")
    assert client.flush(10)
    assert reported == ["event name is blank: Customer.io refuses it", "identifiers is over 150 bytes"]
    assert client.health()["counters"]["rejected"] == 2 and fake_customerio.profiles == {("id", "u1"): {"plan": "pro"}}


def test_event_data_that_is_not_a_mapping_fails_as_the_official_clients_does(make_client):
    with pytest.raises(AttributeError, match="event data must be a dict"):  # the SDK: no attribute 'items'
        make_client().track("u1", "x", data=["not", "a", "dict"])


def test_bad_options_and_missing_credentials_are_clear_errors(monkeypatch):
    monkeypatch.delenv("CUSTOMERIO_SITE_ID", raising=False)
    monkeypatch.delenv("CUSTOMERIO_TRACK_API_KEY", raising=False)
    with pytest.raises(CustomerIOException, match="set CUSTOMERIO_SITE_ID"):
        RuntimeClient()
    with pytest.raises(CustomerIOException, match="missing Customer.io site id"):
        RuntimeClient(None, "key")
    with pytest.raises(ValueError, match="batch_size='many' is not a valid whole number"):
        RuntimeClient("s", "k", batch_size="many", spool="none")
    with pytest.raises(ValueError, match="unknown runtime option"):
        RuntimeClient("s", "k", colour="red", spool="none")
    monkeypatch.setenv("CUSTOMERIO_RATE_LIMIT", "-1")
    with pytest.raises(ValueError, match="CUSTOMERIO_RATE_LIMIT='-1' must be greater than 0"):
        RuntimeClient("s", "k", spool="none")


@pytest.mark.parametrize("options, words", [
    ({"flush_interval": float("nan")}, "flush_interval=nan is not a valid finite number"),  # a worker spinning
    ({"timeout": float("nan")}, "timeout=nan is not a valid finite number"),  # every send failing, health 200
    ({"timeout": float("inf")}, "timeout=inf is not a valid finite number"),
    ({"rate_limit": float("inf")}, "rate_limit=inf is not a valid finite number"),
    ({"batch_size": 2.7}, "batch_size=2.7 is not a valid whole number"),  # it was truncated to 2
    ({"batch_size": True}, "batch_size=True is not a valid whole number"),
    ({"max_queue": "10.5"}, "max_queue='10.5' is not a valid whole number"),
])
def test_numeric_options_are_finite_and_whole_where_counted(options, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        RuntimeClient("s", "k", spool="none", **options)


def test_options_from_the_environment_and_objects_are_checked_at_construction(monkeypatch):
    assert RuntimeClient("s", "k", spool="none", batch_size=2.0).options["batch_size"] == 2
    monkeypatch.setenv("CUSTOMERIO_FLUSH_INTERVAL", "nan")
    with pytest.raises(ValueError, match="CUSTOMERIO_FLUSH_INTERVAL='nan' is not a valid finite number"):
        RuntimeClient("s", "k", spool="none")
    monkeypatch.delenv("CUSTOMERIO_FLUSH_INTERVAL")
    with pytest.raises(TypeError, match="secondary must be a RuntimeClient"):
        RuntimeClient("s", "k", spool="none", secondary="not a client")
    with pytest.raises(TypeError, match="on_error must be callable"):
        RuntimeClient("s", "k", spool="none", on_error=5)
    with pytest.raises(TypeError, match="extra_headers"):  # was "unhashable type: 'dict'", from the cache key
        get_app_client("k", extra_headers={"a": 1})


def test_over_limit_data_is_rejected_counted_and_never_sent(make_client, fake_customerio):
    client = make_client()
    client.identify("u1", bio="x" * 1001)
    client.identify("u1", **{f"a{i}": i for i in range(301)})
    client.track("u1", "big", {"blob": "x" * 100_001})
    client.identify("u1", plan="pro")
    assert client.flush(10)
    assert client.health()["counters"]["rejected"] == 3
    assert fake_customerio.profiles == {("id", "u1"): {"plan": "pro"}}


def test_429_retry_after_is_honoured(make_client, fake_customerio):
    fake_customerio.fail(429, headers={"Retry-After": "1"})
    client = make_client(max_backoff=5)
    client.track("u1", "clicked")
    assert client.flush(10)
    times = [r[0] for r in fake_customerio.requests]
    assert len(times) == 2 and times[1] - times[0] >= 0.95
    assert client.health()["circuit"] == "closed"


def test_5xx_is_retried_with_the_same_event_id(make_client, fake_customerio):
    fake_customerio.fail(503, times=2)
    client = make_client()
    client.track("u1", "clicked")
    assert client.flush(10)
    assert fake_customerio.request_count() == 3
    assert len(fake_customerio.events) == 1 and client.health()["counters"]["retried"] == 2


def test_read_timeout_resends_identical_ids_so_duplicates_dedupe(make_client, fake_customerio):
    fake_customerio.fail(status=0, delay=1.5)  # processed, but after the client gave up
    client = make_client(timeout=0.5)
    client.batch([{"type": "person", "identifiers": {"id": f"u{i}"}, "action": "event", "name": "clicked"}
                  for i in range(5)])  # one call: one journal write, one request (the one that times out)
    assert client.flush(15)
    assert wait_for(lambda: len(fake_customerio.events) == 10)  # the slow first try lands after the retry
    ids = [e["id"] for e in fake_customerio.events]
    assert len(ids) == 10 and len(set(ids)) == 5
    assert len(fake_customerio.unique_events()) == 5


def test_413_splits_the_batch_and_a_lone_oversized_op_is_dead(make_client, fake_customerio):
    fake_customerio.max_body = 3000
    client = make_client(batch_size=100)
    for i in range(40):
        client.track(f"u{i}", "clicked", {"pad": "x" * 100})
    client.track("big", "huge", {"pad": "x" * 5000})
    assert client.flush(10)
    assert len(fake_customerio.events_named("clicked")) == 40
    assert client.health()["counters"]["failed"] == 1
    sizes = [r[4] for r in fake_customerio.requests if r[3] == 413]
    assert all(size > 3000 for size in sizes) and len(sizes) < 20  # bisected, never the same body again and again


def test_207_per_item_errors_are_dead_and_the_rest_delivered_once(make_client, fake_customerio):
    fake_customerio.item_errors = lambda op: "bad attribute" if op.get("name") == "bad" else None
    failures = []
    client = make_client(on_error=lambda reasons, ops: failures.extend(ops))
    client.batch([{"type": "person", "identifiers": {"id": f"u{i}"}, "action": "event", "name": name}
                  for i, name in enumerate(["good", "bad", "good"])])  # one journal write: one request
    assert client.flush(10)
    assert len(fake_customerio.events_named("good")) == 2
    assert fake_customerio.request_count() == 1
    assert [op["name"] for op in failures] == ["bad"]
    assert client.health()["counters"]["failed"] == 1


def test_a_raising_error_callback_does_not_kill_the_worker(make_client, fake_customerio):
    fake_customerio.item_errors = lambda op: "bad" if op.get("name") == "bad" else None

    def explode(reasons, ops):
        raise RuntimeError("callback bug")

    client = make_client(on_error=explode)
    client.track("u1", "bad")
    assert client.flush(10)
    client.track("u1", "good")
    assert client.flush(10)
    assert client.health()["worker_alive"] and len(fake_customerio.events_named("good")) == 1


def test_4xx_is_not_retried(make_client, fake_customerio):
    fake_customerio.fail(422)
    client = make_client()
    client.track("u1", "clicked")
    assert client.flush(10)
    assert fake_customerio.request_count() == 1 and client.health()["counters"]["failed"] == 1


def test_bad_credentials_pause_sending_and_keep_events(make_client, fake_customerio, tmp_path):
    client = make_client(spool=str(tmp_path / "auth.sqlite3"))
    fake_customerio.api_key = "rotated"
    client.track("u1", "clicked")
    assert wait_for(lambda: open_with(client, 1))
    assert "credentials" in client.health()["last_error"]


def test_flush_never_hangs_when_the_api_is_down(make_client):
    client = make_client(url="http://127.0.0.1:9", spool="none")
    client.track("u1", "clicked")
    start = time.monotonic()
    assert client.flush(0.5) is False
    assert time.monotonic() - start < 1.0


def test_queue_full_without_spool_is_bounded_and_counted(make_client):
    client = make_client(url="http://127.0.0.1:9", spool="none", max_queue=10)
    client._spool.memory.limit = 50
    for i in range(200):
        client.track(f"u{i}", "clicked")
    assert wait_for(lambda: client.health()["counters"]["overflowed"] >= 150)
    health = client.health()
    assert health["spool_depth"] <= 50 and health["counters"]["overflowed"] + health["spool_depth"] <= 200


def test_identical_operations_within_the_window_are_sent_once(make_client, fake_customerio):
    client = make_client(dedupe_window=5)
    for _ in range(3):
        client.identify("u1", plan="pro")
    client.identify("u1", plan="team")
    assert client.flush(10)
    assert client.health()["counters"]["deduplicated"] == 2
    assert fake_customerio.profiles[("id", "u1")] == {"plan": "team"}


def test_identical_calls_a_second_apart_are_identical(make_client, fake_customerio, monkeypatch):
    """The acceptance stamp is not the caller's content (CI: a loaded machine crossed a second between calls)."""
    import time

    client = make_client(dedupe_window=5)
    client.identify("u0", plan="warm-up")  # starts the worker under the real clock
    seconds = iter(range(1_700_000_000, 1_700_000_010))
    monkeypatch.setattr(time, "time", lambda: float(next(seconds)))
    client.identify("u1", plan="pro")
    client.identify("u1", plan="pro")
    monkeypatch.undo()
    assert client.flush(10)
    assert client.health()["counters"]["deduplicated"] == 1


def test_guards_warn_once_and_send_timestamps_as_the_official_client_does(make_client, fake_customerio, caplog):
    from datetime import datetime, timezone

    reported = []
    client = make_client(on_error=lambda reasons, ops: reported.extend(reasons.values()))
    client.track("u1", "paid", timestamp=1700000000123)  # milliseconds: sent as given (Customer.io refuses it)
    client.track("u2", "paid", timestamp=datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc))
    client.identify("u3", created_at=1700000000)
    client.track("u4", "PaidInvoice")
    client.track("u5", "PaidInvoice")
    assert client.flush(10)
    assert [e["timestamp"] for e in fake_customerio.events_named("paid")] == [1700000000]
    assert fake_customerio.profiles[("id", "u3")]["created_at"] == 1700000000
    assert sum("not snake_case" in r.message for r in caplog.records) == 1
    assert len(reported) == 1 and "it looks like milliseconds (flake8-cio CIO101)" in reported[0]


def test_rate_limit_holds_requests_per_second(make_client, fake_customerio):
    client = make_client(batch_size=1, rate_limit=20)
    for i in range(50):
        client.track(f"u{i}", "clicked")
    assert client.flush(20)
    times = sorted(r[0] for r in fake_customerio.requests)
    worst = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert worst <= 20 * 1.1 + 1 and len(fake_customerio.events) == 50


def test_dual_write_secondary_failure_never_touches_the_primary(make_client, fake_customerio):
    secondary = make_client(url="http://127.0.0.1:9", spool="none")
    client = make_client(secondary=secondary)
    client.track("u1", "clicked")
    assert client.flush(10)
    assert len(fake_customerio.events) == 1
    assert secondary.health()["counters"]["accepted"] == 1 and secondary.health()["counters"]["sent"] == 0


def test_dual_write_to_data_pipelines(make_client, fake_customerio, tmp_path):
    from flake8_cio.runtime.pipelines import PipelinesClient
    from flake8_cio.runtime.testing import WRITE_KEY

    pipelines = PipelinesClient(WRITE_KEY, host=fake_customerio.url, spool=str(tmp_path / "cdp.sqlite3"),
                                flush_interval=0.02)
    client = make_client(secondary=pipelines)
    client.identify("u1", plan="pro")
    client.track("u1", "order_placed", {"total": 3}, timestamp=1700000000)
    client.delete("u2")
    assert client.flush(10) and pipelines.flush(10)
    messages = sorted(fake_customerio.pipelines, key=lambda m: m["type"])
    assert [(m["type"], m["userId"]) for m in messages] == [("identify", "u1"), ("track", "u1"), ("track", "u2")]
    identify, track, delete = messages
    assert identify["traits"] == {"plan": "pro"}
    assert track["event"] == "order_placed" and track["timestamp"] == "2023-11-14T22:13:20+00:00"
    assert delete["event"] == "User Deleted" and len(track["messageId"]) == 26
    assert len(fake_customerio.events) == 1 and fake_customerio.profiles == {("id", "u1"): {"plan": "pro"}}
    pipelines.close(1)


def test_a_call_after_close_is_counted_not_raised(make_client):
    client = make_client(spool="none")
    client.close(0.1)
    client.track("u1", "late")
    assert client.health()["counters"]["dropped"] == 1


def test_anonymous_events_claimed_beside_a_failed_batch_are_not_stranded(make_client, fake_customerio):
    fake_customerio.fail(503, path="/api/v2/batch")
    client = make_client(spool="none", flush_interval=0.2)
    client.track("u1", "clicked")
    client.track_anonymous("anon-1", "invite_sent")
    assert client.flush(10)
    assert {e["name"] for e in fake_customerio.events} == {"clicked", "invite_sent"}
