"""Nothing accepted is lost: outages, kill -9 and restart, shutdown, fork, and the Redis spool."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from flake8_cio.runtime import RuntimeClient
from flake8_cio.runtime.testing import API_KEY, SITE_ID

from .conftest import FAST, break_spool, free_port, open_with, tally, wait_for

pytestmark = pytest.mark.timeout(120)


def test_outage_longer_than_the_retry_budget_spools_then_replays(make_client, fake_customerio, caplog):
    caplog.set_level("WARNING", logger="flake8_cio.runtime")
    client = make_client(batch_size=20)
    fake_customerio.stop()
    for i in range(100):
        client.track(f"u{i}", "clicked")
    assert wait_for(lambda: open_with(client, 100))
    fake_customerio.restart()
    assert wait_for(lambda: client.health()["spool_depth"] == 0, timeout=20)
    assert sorted(int(e["identifier"][1][1:]) for e in fake_customerio.unique_events()) == list(range(100))
    assert client.health()["circuit"] == "closed"
    changes = [(r.cio_circuit_from, r.cio_circuit_to) for r in caplog.records if hasattr(r, "cio_circuit_to")]
    assert changes[0] == ("closed", "open") and changes[-1][1] == "closed"  # one structured line per change


def test_events_across_an_outage_arrive_once_each_with_their_acceptance_time(make_client, fake_customerio):
    """A batch whose send fails alone is set aside while younger ones go on (13.12), so arrival order is not
    promised; what orders them at Customer.io is the acceptance time every event carries."""
    client = make_client(batch_size=5)
    fake_customerio.stop()
    for i in range(30):
        client.track("same-person", "step", {"i": i})
    assert wait_for(lambda: client.health()["spool_depth"] == 30)
    fake_customerio.restart()  # flush() would answer False at once while the breaker is still open
    assert wait_for(lambda: client.health()["spool_depth"] == 0, timeout=20)
    stamped = sorted((e["data"]["i"], e["timestamp"]) for e in fake_customerio.events)
    assert [i for i, _ in stamped] == list(range(30))  # each exactly once
    assert [t for _, t in stamped] == sorted(t for _, t in stamped)  # stamped in the order accepted


PRODUCER = textwrap.dedent("""
    import sys, time
    from flake8_cio.runtime import RuntimeClient
    client = RuntimeClient("{site}", "{key}", track_url=sys.argv[1], spool=sys.argv[2], flush_interval=0.02,
                           retry_budget=2, breaker_cooldown=30, max_backoff=0.1, timeout=0.5)
    for i in range(int(sys.argv[3])):
        client.track(f"u{{i}}", "imported", {{"i": i}})
    while client.health()["counters"]["spooled"] < int(sys.argv[3]):  # in the spool, or sent from the journal
        time.sleep(0.01)
    print("journaled", flush=True)
    time.sleep(60)
""").format(site=SITE_ID, key=API_KEY)


def test_kill_9_then_a_new_process_replays_the_spool(tmp_path, fake_customerio):
    spool = str(tmp_path / "spool.sqlite3")
    down = f"http://127.0.0.1:{free_port()}"
    producer = subprocess.Popen([sys.executable, "-c", PRODUCER, down, spool, "200"], stdout=subprocess.PIPE, text=True)
    assert producer.stdout.readline().strip() == "journaled"
    os.kill(producer.pid, signal.SIGKILL)
    producer.wait()
    client = RuntimeClient(SITE_ID, API_KEY, track_url=fake_customerio.url, spool=spool, **FAST)
    try:
        client.track("after", "restarted")
        assert client.flush(20)
        assert sorted(e["data"]["i"] for e in fake_customerio.events_named("imported")) == list(range(200))
        assert client.health()["counters"]["replayed"] == 200
    finally:
        client.close(1)


def test_kill_9_mid_send_redelivers_only_identical_ids(tmp_path, fake_customerio):
    spool = str(tmp_path / "spool.sqlite3")
    fake_customerio.fail(status=0, times=1, delay=3)  # the first batch hangs in flight
    producer = subprocess.Popen([sys.executable, "-c", PRODUCER, fake_customerio.url, spool, "50"],
                                stdout=subprocess.PIPE, text=True)
    assert producer.stdout.readline().strip() == "journaled"
    assert wait_for(lambda: fake_customerio.faults[0].times == 0)
    os.kill(producer.pid, signal.SIGKILL)
    producer.wait()
    client = RuntimeClient(SITE_ID, API_KEY, track_url=fake_customerio.url, spool=spool, **FAST)
    try:
        assert client.flush(20)
        assert wait_for(lambda: len(fake_customerio.unique_events()) == 50, timeout=10)
        ids = [e["id"] for e in fake_customerio.events]
        assert len(set(ids)) == 50  # any duplicate carries the same ULID, so Customer.io dedupes it
        assert client.health()["counters"]["replayed"] == 50  # the dead process's, whether spooled or on loan
    finally:
        client.close(1)


def test_shutdown_delivers_pending_events(tmp_path, fake_customerio):
    client = RuntimeClient(SITE_ID, API_KEY, track_url=fake_customerio.url, spool=str(tmp_path / "s.sqlite3"),
                           **{**FAST, "flush_interval": 5})
    for i in range(30):
        client.track(f"u{i}", "clicked")
    assert client.close(5) is True
    assert len(fake_customerio.events) == 30


def test_shutdown_with_the_api_down_is_bounded_and_keeps_events(tmp_path, fake_customerio):
    spool = str(tmp_path / "s.sqlite3")
    down = f"http://127.0.0.1:{free_port()}"
    client = RuntimeClient(SITE_ID, API_KEY, track_url=down, spool=spool, **FAST)
    for i in range(10):
        client.track(f"u{i}", "clicked")
    start = time.monotonic()
    assert client.close(1.0) is False
    assert time.monotonic() - start < 2.5
    assert client.health()["spool_depth"] == 10
    again = RuntimeClient(SITE_ID, API_KEY, track_url=fake_customerio.url, spool=spool, **FAST)
    assert again.flush(10) and len(fake_customerio.events) == 10
    again.close(1)


def test_interpreter_exit_flushes_with_a_bounded_wait(tmp_path, fake_customerio):
    script = textwrap.dedent(f"""
        import sys
        from flake8_cio.runtime import get_client
        client = get_client("{SITE_ID}", "{API_KEY}", track_url=sys.argv[1], spool="none", flush_interval=30)
        for i in range(25):
            client.track(f"u{{i}}", "short_script")
    """)
    result = subprocess.run([sys.executable, "-c", script, fake_customerio.url], timeout=30, capture_output=True, text=True)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert len(fake_customerio.events_named("short_script")) == 25


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_fork_child_gets_a_fresh_worker_and_parent_events_are_not_duplicated(tmp_path, fake_customerio):
    client = RuntimeClient(SITE_ID, API_KEY, track_url=fake_customerio.url, spool=str(tmp_path / "f.sqlite3"),
                           **{**FAST, "flush_interval": 0.2})
    client.track("parent", "before_fork")  # still in the parent's memory queue at fork time
    pid = os.fork()
    if pid == 0:  # child: its own worker must deliver its own events
        code = 1
        try:
            client.track("child", "in_child")
            code = 0 if client.flush(10) else 2
            code = code or (0 if client.health()["counters"]["accepted"] == 1 else 3)  # its own, not the parent's
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert client.flush(10)
    assert len(fake_customerio.events_named("in_child")) == 1
    assert len(fake_customerio.events_named("before_fork")) == 1
    client.close(1)


def test_redis_spool_delivers_and_survives_a_crash(redis_url, fake_customerio):
    down = f"http://127.0.0.1:{free_port()}"
    producer = subprocess.Popen([sys.executable, "-c", PRODUCER, down, redis_url, "100"], stdout=subprocess.PIPE,
                                text=True)
    assert producer.stdout.readline().strip() == "journaled"
    os.kill(producer.pid, signal.SIGKILL)
    producer.wait()
    client = RuntimeClient(SITE_ID, API_KEY, track_url=fake_customerio.url, spool=redis_url, **FAST)
    try:
        assert wait_for(lambda: len(fake_customerio.events_named("imported")) == 100, timeout=20)
        assert sorted(e["data"]["i"] for e in fake_customerio.events_named("imported")) == list(range(100))
        client.track("u1", "live")
        assert client.flush(10)
    finally:
        client.close(1)


def test_two_processes_share_a_redis_spool(redis_url, fake_customerio):
    url = redis_url.replace("/0", "/1")
    first = RuntimeClient(SITE_ID, API_KEY, track_url=fake_customerio.url, spool=url, **FAST)
    second = RuntimeClient(SITE_ID, API_KEY, track_url=fake_customerio.url, spool=url, **FAST)
    try:
        for i in range(50):
            (first if i % 2 else second).track(f"u{i}", "shared")
        assert first.flush(10) and second.flush(10)
        assert len(fake_customerio.unique_events()) == 50
    finally:
        first.close(1)
        second.close(1)


def test_a_failing_spool_falls_back_to_memory_and_loses_nothing(make_client, fake_customerio, tmp_path):
    client = make_client(spool=str(tmp_path / "doomed.sqlite3"), max_queue=5, breaker_cooldown=2.0)
    client.track("u0", "before")
    assert client.flush(10)
    break_spool(client)  # the spool fails: what comes next is in memory only
    for i in range(20):  # past max_queue too, where callers write to the spool themselves
        client.track(f"u{i}", "after")
    assert wait_for(lambda: "memory only" in (client.health()["last_error"] or ""))
    assert client.flush(10)
    assert len(fake_customerio.events_named("after")) == 20
    assert wait_for(lambda: client.health()["spool"] == "SQLiteSpool")  # the retry reconnected


def test_an_unusable_spool_file_degrades_to_memory(make_client, fake_customerio, tmp_path):
    bad = tmp_path / "not-a-database.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    client = make_client(spool=str(bad))
    client.track("u1", "clicked")
    assert client.flush(10) and len(fake_customerio.events) == 1
    assert "memory only" in client.health()["last_error"]


def redis_db(redis_url, number):
    """A database of the session's redis-server of a test's own, emptied."""
    url = redis_url.replace("/0", f"/{number}")
    __import__("redis").Redis.from_url(url).flushdb()
    return url


def test_a_closed_redis_consumer_hands_its_entries_over_at_once(redis_url, loopback):
    """Entries a process had claimed stayed leased to it for 120 s after its graceful close() (SQLite hands them
    over at once): now the next process takes them at its first claim, with the default lease."""
    url = redis_db(redis_url, 3)
    down, up = loopback(lambda path, body: (503, {}, b"")), loopback()
    first = RuntimeClient(SITE_ID, API_KEY, track_url=down.url, spool=url, **FAST)
    sent = list(range(50))
    for i in sent:
        first.track(f"u{i}", "clicked", {"i": i})
    assert wait_for(lambda: len(down.requests) >= 1)  # claimed: pending to its consumer
    store = first._spool.store
    first.close(0.2)
    second = RuntimeClient(SITE_ID, API_KEY, track_url=up.url, spool=url, **FAST)
    assert wait_for(lambda: tally(up.accepted, sent)["lost"] == 0, timeout=10)
    assert tally(up.accepted, sent)["duplicated"] == 0
    consumers = {c["name"].decode() for c in second._spool.store.redis.xinfo_consumers(store.key, store.group)}
    assert store.consumer not in consumers  # consumers do not pile up in the group either
    second.close(1)


def test_entries_of_a_dead_process_of_this_host_are_taken_over_at_once(redis_url, loopback):
    """As SQLite frees the leases of dead local processes: a consumer host:pid:nonce whose pid is gone."""
    url = redis_db(redis_url, 4)
    down, up = loopback(lambda path, body: (503, {}, b"")), loopback()
    producer = subprocess.Popen([sys.executable, "-c", PRODUCER, down.url, url, "50"], stdout=subprocess.PIPE,
                                text=True)
    assert producer.stdout.readline().strip() == "journaled"
    assert wait_for(lambda: len(down.requests) >= 1)  # it claimed them
    os.kill(producer.pid, signal.SIGKILL)
    producer.wait()
    client = RuntimeClient(SITE_ID, API_KEY, track_url=up.url, spool=url, **FAST)
    assert wait_for(lambda: len(up.accepted) == 50, timeout=10)
    assert sorted(op["attributes"]["i"] for op in up.accepted) == list(range(50))
    client.close(1)


@pytest.mark.parametrize("spool", ["sqlite", "redis"])
def test_the_lease_is_configurable(redis_url, loopback, tmp_path, spool):
    """spool_lease: how long a claim is its process's alone. A send that hangs past it is taken over."""
    where = redis_db(redis_url, 5) if spool == "redis" else str(tmp_path / "s.sqlite3")
    hung, up = loopback(lambda path, body: None), loopback()
    options = {**FAST, "timeout": 60, "spool_lease": 0.5}
    first = RuntimeClient(SITE_ID, API_KEY, track_url=hung.url, spool=where, **options)
    sent = list(range(20))
    for i in sent:
        first.track(f"u{i}", "clicked", {"i": i})
    assert wait_for(lambda: hung.hanging == 1)
    second = RuntimeClient(SITE_ID, API_KEY, track_url=up.url, spool=where, **options)
    start = time.monotonic()
    assert wait_for(lambda: tally(up.accepted, sent)["lost"] == 0, timeout=10)
    assert time.monotonic() - start < 5
    second.close(1)
    first.close(0)
