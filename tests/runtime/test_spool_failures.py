"""A durable spool that fails (a Redis stall or outage, an SQLite file another process keeps locked) is a detour,
not a loss: events go on in memory, health() answers at once and says so, and the spool is retried and gets back
what memory held. Counted exactly: nothing lost, nothing sent twice."""
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import redis

from flake8_cio.runtime import RuntimeClient
from flake8_cio.runtime.spool import MemorySpool, SQLiteSpool
from flake8_cio.runtime.testing import API_KEY, SITE_ID

from .conftest import FAST, break_spool, free_port, tally, track_across_files, wait_for

pytestmark = pytest.mark.timeout(120)

LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute(f"BEGIN {sys.argv[2]}")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


@pytest.fixture(autouse=True)
def many_active_clients(monkeypatch):
    # clients other tests left open must not make these idle (and close their spool) in the middle of a test
    monkeypatch.setattr("flake8_cio.runtime.client.MAX_ACTIVE_CLIENTS", 10**6)


def client_on(url, spool, **options):
    return RuntimeClient(SITE_ID, API_KEY, track_url=url, spool=spool, **{**FAST, "breaker_cooldown": 1.0, **options})


def track(client, indexes):
    for i in indexes:
        client.track(f"u{i}", "clicked", {"i": i})


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def lock_sqlite(path, mode="IMMEDIATE"):
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, path, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert locker.stdout.readline().strip() == "locked"
    return locker


def unlock(locker):
    locker.stdin.close()
    locker.wait(10)


def stream_of(url):
    db = redis.Redis.from_url(url)
    (key,) = [k for k in db.keys("flake8-cio:spool:*") if k.count(b":") == 2]
    return db, key


@pytest.mark.parametrize("status", [200, 503])
def test_a_redis_stall_is_ridden_out_in_memory_and_the_stream_gets_back_what_memory_held(loopback, own_redis,
                                                                                        status):
    """SIGSTOP the redis-server: the put in flight times out (and runs when Redis resumes: undone, as memory kept
    its events); health() answers at once; events are delivered from memory (200) or kept there (503) and moved
    into the stream once it answers again."""
    url, redis_server = own_redis
    answers = {"status": 200}
    server = loopback(lambda path, body: (answers["status"], {}, b"{}"))
    client = client_on(server.url, url)
    sent = list(range(300))
    track(client, sent[:100])
    assert client.flush(10)
    answers["status"] = status
    os.kill(redis_server.pid, signal.SIGSTOP)
    try:
        track(client, sent[100:200])
        assert wait_for(lambda: client.health()["spool"] == "MemorySpool", timeout=15)
        health, seconds = timed(client.health)
        assert seconds < 0.2 and "memory only since" in health["last_error"] and health["memory_only_since"]
        if status == 200:
            assert wait_for(lambda: tally(server.accepted, sent[100:200])["lost"] == 0)  # delivered from memory
        time.sleep(1.5)  # a retry or two fail while Redis is stopped
    finally:
        os.kill(redis_server.pid, signal.SIGCONT)
    assert wait_for(lambda: client.health()["spool"] == "RedisSpool", timeout=15)
    db, key = stream_of(url)
    assert db.xlen(key) == (100 if status == 503 else 0)  # what memory held, once: the stalled put was undone
    answers["status"] = 200
    track(client, sent[200:])
    assert wait_for(lambda: client.flush(1), timeout=30)
    counts = tally(server.accepted, sent)
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, 0, 0)
    assert client.health()["last_error"] is None and client.health()["memory_only_since"] is None
    assert db.xlen(key) == 0 and int(db.get(key + b":bytes")) == 0 and db.hgetall(key + b":owners") == {}
    client.close(1)


@pytest.mark.parametrize("status", [200, 503])
def test_an_sqlite_file_locked_by_another_process_is_ridden_out_in_memory(loopback, tmp_path, monkeypatch, status):
    """Another process holds the write lock longer than a write waits (BUSY_TIMEOUT, 30 s; 1 s here): memory, at
    once-answering health() and flush(), then back into the file when the lock is gone."""
    monkeypatch.setattr(SQLiteSpool, "BUSY_TIMEOUT", 1.0)
    answers = {"status": 200}
    server = loopback(lambda path, body: (answers["status"], {}, b"{}"))
    path = str(tmp_path / "s.sqlite3")
    client = client_on(server.url, path)
    sent = list(range(300))
    track(client, sent[:100])
    assert client.flush(10)
    answers["status"] = status
    locker = lock_sqlite(path)
    try:
        track(client, sent[100:200])
        assert wait_for(lambda: client.health()["spool"] == "MemorySpool")
        health, seconds = timed(client.health)
        assert seconds < 0.2 and "memory only since" in health["last_error"]
        if status == 200:
            assert wait_for(lambda: tally(server.accepted, sent[100:200])["lost"] == 0)  # delivered from memory
            assert timed(lambda: client.flush(1))[1] < 1.5
        time.sleep(1.5)  # a retry or two fail while the lock is held
        assert client.health()["spool"] == "MemorySpool"
    finally:
        unlock(locker)
    assert wait_for(lambda: client.health()["spool"] == "SQLiteSpool", timeout=15)
    answers["status"] = 200
    track(client, sent[200:])
    assert wait_for(lambda: client.flush(1), timeout=30)
    counts = tally(server.accepted, sent)
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, 0, 0)
    assert client.health()["last_error"] is None
    client.close(1)


def test_a_client_started_while_another_process_locks_the_file_does_not_wait_for_it(loopback, tmp_path,
                                                                                    monkeypatch):
    """A backup or an operator's shell holds the file's lock when a process starts (a deploy, a new worker): the
    client is made and its calls return while the lock is still held (opening waits OPEN_PATIENCE, not a write's
    BUSY_TIMEOUT: 600 s here, so a client that waited would wait until after the lock), what an earlier process
    left in the file is delivered once the lock is gone, and so is everything tracked meanwhile, once."""
    monkeypatch.setattr(SQLiteSpool, "BUSY_TIMEOUT", 600.0)
    stalled = {"on": True}
    server = loopback(lambda path, body: None if stalled["on"] else (200, {}, b"{}"))
    path = str(tmp_path / "s.sqlite3")
    earlier = client_on(server.url, path)
    track(earlier, range(50))  # left in the file: the server never answers it
    earlier.close(0.5)
    stalled["on"] = False
    locker = lock_sqlite(path, "EXCLUSIVE")
    made = []
    starting = threading.Thread(target=lambda: made.append(client_on(server.url, path)) or track(made[0], range(50, 150)))
    try:
        starting.start()
        assert wait_for(lambda: not starting.is_alive(), timeout=60)  # while the lock is held
        assert "locked" in made[0].health()["last_error"]
    finally:
        unlock(locker)
    client = made[0]
    assert wait_for(lambda: client.flush(1), timeout=30)  # its own (the earlier client's are another owner's)
    assert wait_for(lambda: tally(server.accepted, range(150))["lost"] == 0, timeout=30)
    counts = tally(server.accepted, range(150))
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, 0, 0)
    client.close(1)


def test_a_lock_at_start_is_a_warning_and_the_store_is_tried_again_within_a_second(loopback, tmp_path, caplog):
    """A Pool sibling or a short backup holds the file when a process starts: the spool that never opened is tried
    again every second (not breaker_cooldown's 30 s: health() would say memory only and a probe 503 that long) and
    says so at WARNING, not ERROR."""
    server = loopback()
    path = str(tmp_path / "s.sqlite3")
    client_on(server.url, path).close(1)  # the file exists
    locker = lock_sqlite(path, "EXCLUSIVE")
    try:
        client = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=path, breaker_cooldown=600.0)
        track(client, range(10))
        assert client.health()["spool"] == "MemorySpool" and "retrying every 1s" in client.health()["last_error"]
    finally:
        unlock(locker)
    assert wait_for(lambda: client.health()["spool"] == "SQLiteSpool", timeout=20)  # 600 s before
    assert wait_for(lambda: client.flush(1), timeout=20) and tally(server.accepted, range(10))["lost"] == 0
    failed = [r for r in caplog.records if "failed (OperationalError: database is locked)" in r.getMessage()]
    assert failed and {r.levelname for r in failed} == {"WARNING"}
    client.close(1)


def test_while_the_store_fails_events_go_straight_from_the_journal_file(loopback, tmp_path, monkeypatch):
    """Issue 20 item 5: in memory mode the send thread sends the journal's lines as they are (a loan nothing
    records), not an entry per event; once the lock is gone the store's record of the journal catches up, so that
    close() removes the journal (nothing left to replay) and every event arrived once."""
    monkeypatch.setattr(SQLiteSpool, "BUSY_TIMEOUT", 1.0)
    server = loopback()
    path = str(tmp_path / "s.sqlite3")
    # the journal thread leaves the file to the sender while it lends (within 2 flush_intervals: 10 s)
    client = client_on(server.url, path, flush_interval=5.0)
    track(client, range(100))
    assert client.flush(10)
    locker = lock_sqlite(path)
    try:
        track(client, range(100, 200))
        assert wait_for(lambda: client.health()["spool"] == "MemorySpool")
        assert client.flush(10)
        entries = []
        put = MemorySpool.put
        monkeypatch.setattr(MemorySpool, "put", lambda self, texts: entries.extend(texts) or put(self, texts))
        track(client, range(200, 1200))
        assert client.flush(10) and tally(server.accepted, range(200, 1200))["lost"] == 0
        assert entries == [] and client.health()["spool"] == "MemorySpool"
    finally:
        unlock(locker)
    assert wait_for(lambda: client.health()["spool"] == "SQLiteSpool", timeout=15)
    track(client, range(1200, 1300))
    assert client.flush(10)
    counts = tally(server.accepted, range(1300))
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, 0, 0)
    assert client.close(1) and not list(tmp_path.glob("*.journal"))


def test_journals_rotate_while_the_store_fails_and_every_event_arrives_once(loopback, tmp_path, monkeypatch):
    """Small journals (64 KiB, a new one every 16 KiB read) and a spool file that cannot be opened (a folder):
    what the send thread had not taken of an old file goes into memory at the rotation (it waited for a replay
    into the store that could not come); none lost or sent twice."""
    from flake8_cio.runtime import journal

    monkeypatch.setattr(journal, "FILE_BYTES", 64 << 10)
    monkeypatch.setattr(journal, "ROTATE_BYTES", 16 << 10)
    (tmp_path / "s.sqlite3").mkdir()
    server = loopback()
    client = client_on(server.url, str(tmp_path / "s.sqlite3"), timeout=30, breaker_cooldown=60)
    files = track_across_files(client)
    assert client.flush(30)
    counts = tally(server.accepted, range(5000))
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, 0, 0)
    assert len(files) > 5 and client.health()["spool"] == "MemorySpool"
    client.close(1)


def failing_for(journal, call):
    """A store's `call` that fails (a disk I/O error) when it concerns that journal file."""
    def failing(*args, **kwargs):
        if any(arg == journal or type(arg) is tuple and arg[:1] == (journal,) for arg in args):
            raise sqlite3.OperationalError("disk I/O error")
        return call(*args, **kwargs)
    return failing


def test_a_rotation_whose_store_fails_puts_the_old_files_rest_into_memory_at_once(loopback, tmp_path, monkeypatch):
    """Issue 20 item 4: the store fails as a rotation moves the old journal's unread rest into it. The rest goes
    into memory at once and is delivered from there, so that flush() says True only with every event delivered
    (it waited in the old file for a replay after the store's recovery, and flush() said True without it)."""
    from flake8_cio.runtime import journal
    from flake8_cio.runtime.delivery import MAX_BATCH_BYTES

    server = loopback()
    # both threads sleep between flush()es (flush_interval), and the store is not retried within the test
    client = client_on(server.url, str(tmp_path / "s.sqlite3"), flush_interval=5.0, breaker_cooldown=60)
    track(client, range(100))
    assert client.flush(10)
    worker, intake = client._worker, client.intake
    store, old = client.spool.store, intake.name
    for method in ("put", "journal_offset", "loans"):  # the store fails on what moves the old file's lines
        monkeypatch.setattr(store, method, failing_for(old, getattr(store, method)))
    with worker.journal_lock:  # neither thread reads the file meanwhile: 50 lines are its unread rest
        track(client, range(100, 150))
        monkeypatch.setattr(journal, "ROTATE_BYTES", intake.offset)  # the file is due for a new one
        worker._guarded(lambda: intake.rotate(client.spool, MAX_BATCH_BYTES))  # as the send thread rotates
    assert client.flush(10)
    counts = tally(server.accepted, range(150))
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, 0, 0)
    assert client.health()["spool"] == "MemorySpool"
    client.close(1)


def test_a_store_that_recovers_while_a_request_holds_memory_entries_sends_none_twice(loopback, tmp_path):
    """The store works again while a request holds entries memory took (the server hangs): the store's record of
    the journal may pass their lines only once they are settled. Before, the store came back at once and its record
    stayed behind them: the journal thread's next put met it there, read the file again from it, and those lines
    went out twice under the same ids (100 of 100)."""
    gate = threading.Event()
    server = loopback(lambda path, body: (200, {}, b"{}") if gate.wait(60) else (500, {}, b""))
    # both threads sleep between flush()es (flush_interval): the test takes the journal thread's steps itself
    client = client_on(server.url, str(tmp_path / "s.sqlite3"), flush_interval=5.0, breaker_cooldown=0.3, timeout=60)
    gate.set()
    track(client, range(100))
    assert client.flush(10)
    gate.clear()
    break_spool(client)
    track(client, range(100, 200))
    requests = len(server.requests)
    client.journal_now()  # the store fails: the lines go into memory, and a request takes them (it hangs)
    assert wait_for(lambda: len(server.requests) > requests)
    assert wait_for(lambda: time.monotonic() >= client.spool.retry_at)
    client.spool.maintain()  # the store is retried (it works) while they are in flight
    track(client, range(200, 300))
    client.journal_now()
    gate.set()
    assert client.flush(20)
    counts = tally(server.accepted, range(300))
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, 0, 0)
    assert client.health()["spool"] == "SQLiteSpool"
    client.close(1)


MEMORY_MODE_PRODUCER = f"""
import sys, time
from flake8_cio.runtime import RuntimeClient
from flake8_cio.runtime.spool import MemorySpool, SQLiteSpool
SQLiteSpool.BUSY_TIMEOUT = 0.5  # the file is locked: memory mode from the start
client = RuntimeClient("{SITE_ID}", "{API_KEY}", track_url=sys.argv[1], spool=sys.argv[2], flush_interval=0.2,
                       timeout=60)
for i in range(2000):
    client.track(f"u{{i}}", "clicked", {{"i": i}})
    if i == 999:
        while client.intake.unread():  # the first on loan to the hanging request, the rest read into memory
            time.sleep(0.01)
print(client.health()["spool"], flush=True)
time.sleep(600)
"""


def test_a_process_killed_while_sending_from_the_journal_in_memory_mode_loses_nothing(loopback, tmp_path):
    """Loans nothing recorded (the store failed) are in flight to a hanging server when the process is killed:
    the next process replays the journal, and every event arrives."""
    hanging, server = loopback(lambda path, body: None), loopback()
    path = str(tmp_path / "s.sqlite3")
    RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=path, **FAST).close(1)  # the file and its schema
    locker = lock_sqlite(path)
    producer = subprocess.Popen([sys.executable, "-c", MEMORY_MODE_PRODUCER, hanging.url, path],
                                stdout=subprocess.PIPE, text=True)
    try:
        assert producer.stdout.readline().strip() == "MemorySpool"
        assert wait_for(lambda: hanging.hanging >= 1)
    finally:
        producer.kill()
        producer.wait()
        unlock(locker)
    client = client_on(server.url, path)
    assert wait_for(lambda: client.flush(5) and client.health()["spool_depth"] == 0, timeout=60)
    client.close(1)
    counts = tally(server.accepted, range(2000))
    assert (counts["lost"], counts["extra_ids"]) == (0, 0)


def test_health_never_waits_for_a_write_blocked_on_a_foreign_lock(loopback, tmp_path):
    """The journal thread waits (up to 30 s) for another process's write lock; health() and flush() do not wait
    for it (they took 19 s behind SQLite's busy wait, inside the process-wide lock)."""
    server = loopback()
    path = str(tmp_path / "s.sqlite3")
    client = client_on(server.url, path)
    track(client, range(10))
    assert client.flush(10)
    locker = lock_sqlite(path)
    try:
        track(client, range(10, 20))
        time.sleep(0.5)  # the journal thread is now waiting for the lock
        health, seconds = timed(client.health)
        assert seconds < 0.2 and health["spool"] == "SQLiteSpool"
        assert timed(lambda: client.flush(1))[1] < 1.5
    finally:
        unlock(locker)
    assert client.flush(20) and tally(server.accepted, range(20))["lost"] == 0
    client.close(1)


def test_an_unreachable_redis_at_start_degrades_to_memory_then_joins_when_it_comes(loopback, tmp_path):
    """Redis down when the client is made: no exception (it raised ConnectionError at every get_client()), memory
    with a loud last_error, and the stream once Redis is up."""
    server = loopback(lambda path, body: (503, {}, b""))
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    client = client_on(server.url, url)
    health = client.health()
    assert health["spool"] == "MemorySpool" and "Redis spool redis://127.0.0.1" in health["last_error"]
    track(client, range(20))
    assert wait_for(lambda: client.health()["spool_depth"] == 20)
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: client.health()["spool"] == "RedisSpool", timeout=15)
        db, key = stream_of(url)
        assert db.xlen(key) == 20
        server.answer = lambda path, body: (200, {}, b"{}")
        assert wait_for(lambda: client.flush(1), timeout=20)
        counts = tally(server.accepted, range(20))
        assert (counts["lost"], counts["duplicated"]) == (0, 0)
        client.close(1)
    finally:
        process.terminate()
        process.wait(10)


def test_a_redis_spool_without_redis_py_is_a_clear_error(monkeypatch):
    """A deployment error, not an outage: nothing to retry in this process, so it raises at once, saying what to
    install (it was a bare ModuleNotFoundError)."""
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError, match=r"pip install 'flake8-cio\[redis\]'"):
        RuntimeClient(SITE_ID, API_KEY, spool="redis://127.0.0.1:6379/0")
