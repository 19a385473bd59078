"""The spools: one contract for memory, SQLite and Redis; naming by workspace and region (a rotated key and an older
spool file are replayed); a full disk; permissions; caps on the spool and on dead letters."""
import os
import sqlite3
import stat
import time
import uuid

import pytest

from flake8_cio.runtime import RuntimeClient
from flake8_cio.runtime.spool import FallbackSpool, Limits, MemorySpool, RedisSpool, SQLiteSpool

from .conftest import FAST, tally, wait_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(params=["memory", "sqlite", "redis"])
def spool(request, tmp_path):
    if request.param == "memory":
        yield MemorySpool()
    elif request.param == "sqlite":
        yield SQLiteSpool(tmp_path / "contract.sqlite3")
    else:
        made = RedisSpool(request.getfixturevalue("redis_url"), f"contract:{uuid.uuid4().hex}")
        yield made
        made.redis.delete(made.key, made.dead_key)


def texts(*names):
    return [f'{{"name":"{name}"}}' for name in names]


def test_spool_contract(spool):
    assert spool.put(texts("a", "b", "c", "d", "e")) == 5 and spool.depth() == 5
    first = spool.claim(2, 10_000)
    assert [e.op["name"] for e in first] == ["a", "b"]  # journal order
    (c,) = spool.claim(10, 20)
    assert c.op["name"] == "c"  # the byte limit, but always at least one
    spool.release([first[1].key])
    spool.ack([first[0].key])
    again = spool.claim(10, 10_000)
    assert [e.op["name"] for e in again] == ["b", "d", "e"]  # a released entry goes back to its place
    spool.release([again[0].key], delay=30)  # set aside: younger entries go first
    spool.release([e.key for e in again[1:]])
    assert [e.op["name"] for e in spool.claim(10, 10_000)] == ["d", "e"]
    spool.release([again[0].key])  # wanted back before its delay is over (an outage: keep the order)
    late = spool.claim(10, 10_000)
    assert [e.op["name"] for e in late] == ["b"]
    spool.dead(late, "HTTP 400")
    assert spool.depth() == spool.pending() == 3  # c, d, e still claimed, not acknowledged
    spool.release([c.key], delay=0.3)
    assert spool.claim(10, 10_000) == []  # d and e are still claimed, c is set aside
    time.sleep(0.4)
    assert [e.op["name"] for e in spool.claim(10, 10_000)] == ["c"]  # the delay is over
    spool.close()


def test_the_memory_spool_keeps_journal_order_and_its_cap_across_releases():
    spool = MemorySpool(limit=6)
    assert spool.put(texts(*"abcdefgh")) == 6  # at the cap, new entries are refused
    first = spool.claim(4, 10_000)
    spool.release([first[2].key, first[0].key])  # c and a go back to their places, before e and f
    spool.ack([first[1].key])
    assert spool.depth() == 5 and spool.put(texts("x", "y")) == 1  # d is still claimed: room for one
    assert [e.op["name"] for e in spool.claim(10, 10_000)] == ["a", "c", "e", "f", "x"]


def default_client(url, key, **options):
    return RuntimeClient("site-1", key, track_url=url, **{**FAST, **options})


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "flake8-cio"


def test_a_corrected_key_delivers_what_the_wrong_key_left(loopback, cache):
    import base64

    right = "Basic " + base64.b64encode(b"site-1:right-key").decode()
    server = loopback(lambda path, body: None)
    server.answer = lambda path, body: (200, {}, b"{}") if server.requests[-1][1]["Authorization"] == right \
        else (401, {}, b"")
    wrong = default_client(server.url, "wrong-key")
    sent = list(range(20))
    for i in sent:
        wrong.track(f"u{i}", "clicked", {"i": i})
    assert wait_for(lambda: "credentials" in (wrong.health()["last_error"] or ""))
    wrong.close(0.5)
    corrected = default_client(server.url, "right-key")
    assert corrected.flush(10)
    assert tally(server.accepted, sent)["lost"] == 0 and corrected.health()["counters"]["replayed"] == 20
    assert [p.name for p in cache.glob("*.sqlite3")] == ["spool-us-" + p.name[9:] for p in cache.glob("*.sqlite3")]
    corrected.close(1)


def older_spool_file(cache, count):
    """A spool file under the name an older version gave it (site-1:key), holding `count` events with their ids."""
    import hashlib

    legacy = cache / f"spool-{hashlib.sha256(b'site-1:key').hexdigest()[:16]}.sqlite3"
    old = SQLiteSpool(legacy)
    old.put([f'{{"type":"person","identifiers":{{"id":"u{i}"}},"action":"event","name":"old",'
             f'"attributes":{{"i":{i}}},"id":"01HZ000000000000000000{i:04d}"}}' for i in range(count)])
    old.close()
    return legacy


def test_an_older_spool_file_of_the_same_credentials_is_replayed(loopback, cache):
    server = loopback()
    legacy = older_spool_file(cache, 5)
    client = default_client(server.url, "key")
    assert client.flush(10)
    assert tally(server.accepted, range(5))["lost"] == 0 and not legacy.exists()
    client.close(1)


STARTER = """
import sys, time
from flake8_cio.runtime import RuntimeClient
while time.time() < float(sys.argv[2]):
    time.sleep(0.001)
client = RuntimeClient("site-1", "key", track_url=sys.argv[1], flush_interval=0.05)
assert client.flush(30)
client.close(5)
"""


def test_processes_starting_at_once_replay_an_older_spool_file_once(loopback, cache):
    """Workers of one deploy start together and each finds the older file: it is moved into the new one once (its
    rows leave it in the transaction that copies them), not once per worker (review27: 2,000 events sent 3-4 times)."""
    import subprocess
    import sys

    server = loopback()
    legacy = older_spool_file(cache, 2000)
    start = str(time.time() + 2)
    workers = [subprocess.Popen([sys.executable, "-c", STARTER, server.url, start], env=dict(os.environ))
               for _ in range(6)]  # the more rows, the longer the first one's move
    assert [worker.wait(60) for worker in workers] == [0] * 6
    counts = tally(server.accepted, range(2000))
    assert (counts["lost"], counts["duplicated"], counts["extra_ids"]) == (0, 0, 0) and not legacy.exists()


def test_the_spool_is_private(cache):
    client = default_client("http://127.0.0.1:9", "key")
    client.track("u1", "clicked")
    client.flush(0.1)
    (path,) = cache.glob("*.sqlite3")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and stat.S_IMODE(os.stat(cache).st_mode) == 0o700
    client.close(0.1)


def test_the_default_folder_is_made_private_when_the_linter_made_it_first(cache):
    """The linter's summary cache shares ~/.cache/flake8-cio and makes it with the umask (0755); the spool's
    folder must be 0700 all the same, and the linter's files in it stay usable (same user)."""
    summaries = cache / "summaries"
    summaries.mkdir(parents=True)
    cache.chmod(0o755)
    (summaries / "x.json").write_text("{}")
    client = default_client("http://127.0.0.1:9", "key")
    client.track("u1", "clicked")
    client.close(0.1)
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700
    (summaries / "y.json").write_text((summaries / "x.json").read_text())


def test_a_full_disk_rolls_back_falls_back_to_memory_and_moves_back_once_there_is_room(loopback, tmp_path,
                                                                                      monkeypatch):
    # clients other tests left open must not make this one idle (and swap its spool) in the middle of the test
    monkeypatch.setattr("flake8_cio.runtime.client.MAX_ACTIVE_CLIENTS", 10**6)
    answers = {"status": 503}
    server = loopback(lambda path, body: (answers["status"], {}, b"{}"))
    path = str(tmp_path / "full.sqlite3")
    client = RuntimeClient("site-1", "key", track_url=server.url, spool=path, **{**FAST, "breaker_cooldown": 1.0})
    for i in range(50):
        client.track(f"u{i}", "clicked", {"i": i})
    assert wait_for(lambda: client.health()["spool_depth"] == 50)
    store = client._spool.store
    with SQLiteSpool.lock:  # as every SQLite call of the process
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count={pages}")  # the disk is full now (until the retry reconnects)
    for i in range(50, 100):
        client.track(f"u{i}", "clicked", {"i": i, "pad": "x" * 500})
    assert wait_for(lambda: (lambda h: h["spool"] == "MemorySpool" and "full" in h["last_error"])(client.health()))
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)  # rolled back
    assert wait_for(lambda: client.health()["spool"] == "SQLiteSpool")  # the retry has room: moved back
    answers["status"] = 200
    assert wait_for(lambda: client.health()["counters"]["sent"] == 100 and client.flush(1), timeout=20)
    counts = tally(server.accepted, range(100))
    assert counts["lost"] == 0 and counts["duplicated"] == 0 and client.health()["last_error"] is None
    client.close(1)



def test_an_entry_released_while_the_store_fails_is_released_once_it_works_again(tmp_path):
    # left to its lease it waited spool_lease (120 s) after the recovery: the full-disk test above failed under
    # load when the breaker's probe, sent before the disk filled, was answered after
    spool = FallbackSpool(lambda: SQLiteSpool(tmp_path / "s.sqlite3"), 0.0, "spool", lambda count: None)
    spool.put(texts("a"))
    (a,) = spool.claim(10, 10_000)
    with SQLiteSpool.lock:
        pages = spool.store.db.execute("PRAGMA page_count").fetchone()[0]
        spool.store.db.execute(f"PRAGMA max_page_count={pages}")
    assert spool.put(texts(*(f"b{i}{'x' * 500}" for i in range(50)))) == 50 and spool.kind == "MemorySpool"
    spool.release([a.key])  # the probe's 503, while the disk is full
    spool.maintain(now=True)  # the retry reconnects: room again
    assert spool.kind == "SQLiteSpool"
    assert [e.op["name"] for e in spool.claim(2, 10_000)] == ["a", "b0" + "x" * 500]
    spool.close()


@pytest.fixture(params=["sqlite", "redis"])
def durable_spool(request, tmp_path):
    """Makes a durable spool with the given limits; Redis ones are deleted afterwards."""
    made = []

    def make(limits):
        if request.param == "sqlite":
            return SQLiteSpool(tmp_path / f"{len(made)}.sqlite3", limits)
        made.append(RedisSpool(request.getfixturevalue("redis_url"), f"capped:{uuid.uuid4().hex}", limits))
        return made[-1]
    yield make
    for spool in made:
        spool.redis.delete(*spool.counts, spool.dead_key)


@pytest.mark.parametrize("policy, kept", [("drop_oldest", "newest"), ("drop_new", "oldest")])
def test_the_spool_is_capped_by_size_with_an_explicit_overflow_policy(durable_spool, policy, kept):
    overflowed = []
    spool = durable_spool(Limits(max_bytes=200_000, overflow=policy, on_overflow=overflowed.append))
    stored = sum(spool.put([f'{{"i":{i},"pad":"{"x" * 1000}"}}']) for i in range(400))
    claimed = spool.claim(1000, 10**9)
    left = [e.op["i"] for e in claimed]
    assert 100 < len(left) < 200 and spool.fill() <= 1.01  # SQLite counts pages, not rows: within a page of the cap
    if kept == "newest":
        assert left[-1] == 399 and sum(overflowed) == 400 - len(left) and stored == 400
    else:
        assert left == list(range(len(left))) and stored == len(left) and not overflowed
    spool.ack(e.key for e in claimed)
    assert spool.depth() == spool.pending() == 0


def test_the_spool_drops_what_is_older_than_its_age_cap(durable_spool):
    overflowed = []
    spool = durable_spool(Limits(max_age=0.2, on_overflow=overflowed.append))
    spool.put(texts("old"))
    time.sleep(0.3)
    spool.expired_at = 0  # SQLite applies the age cap at most once a minute
    spool.put(texts("new"))
    assert [e.op["name"] for e in spool.claim(10, 10_000)] == ["new"] and overflowed == [1]


def test_a_redis_spool_counts_bytes_and_owners_exactly_across_processes(redis_url):
    """Two processes' spools on one stream: each flush() waits for its own events only, and the shared byte
    count returns to zero once everything is settled, whoever settled it and however (ack, dead letter, cap)."""
    key = f"shared:{uuid.uuid4().hex}"
    limits = Limits(max_bytes=10 * (64 + len(texts("x")[0])), max_age=1e12)  # an age cap older than 1970 too
    first, second = RedisSpool(redis_url, key, limits), RedisSpool(redis_url, key, limits)
    try:
        first.put(texts(*"abc"))
        second.put(texts(*"de"))
        assert (first.pending(), second.pending(), first.depth()) == (3, 2, 5)
        claimed = first.claim(10, 10_000)
        first.ack(e.key for e in claimed if e.foreign)  # the other process's two
        assert (first.pending(), second.pending()) == (3, 0)
        first.dead(claimed[:1], "HTTP 400")
        second.put(texts(*"fghijklm"))  # 2 + 8 = 10 fit; then one more drops the oldest
        assert first.fill() == second.fill() == pytest.approx(1.0)
        second.put(texts("n"))
        assert (first.pending(), second.pending(), first.depth()) == (1, 9, 10)
        first.ack(e.key for e in claimed)  # one was dropped by the cap meanwhile: counted once only
        rest = second.claim(20, 10**6)
        second.ack(e.key for e in rest)
        assert (first.pending(), second.pending(), first.depth(), first.fill()) == (0, 0, 0, 0.0)
    finally:
        first.redis.delete(*first.counts, first.dead_key)


def test_dead_letters_are_kept_within_their_caps(tmp_path):
    spool = SQLiteSpool(tmp_path / "dead.sqlite3", Limits(dead_max_bytes=5_000))
    for _ in range(20):
        spool.put([f'{{"pad":"{"x" * 1000}"}}'])
        spool.dead(spool.claim(1, 10**6), "HTTP 400")
    kept = spool.db.execute("SELECT COUNT(*), SUM(LENGTH(op)) FROM dead").fetchone()
    assert 0 < kept[0] < 20 and kept[1] <= 5_000


def test_health_shows_how_full_the_spool_is_and_overflow_is_counted(loopback, tmp_path, caplog):
    server = loopback(lambda path, body: (503, {}, b""))
    client = RuntimeClient("site-1", "key", track_url=server.url, spool=str(tmp_path / "s.sqlite3"),
                           spool_max_bytes=300_000, **FAST)
    for i in range(600):
        client.track(f"u{i}", "clicked", {"pad": "x" * 1000})
    assert wait_for(lambda: client.health()["counters"]["overflowed"] > 0, timeout=30)
    assert wait_for(lambda: 0.5 < client.health()["spool_fill"] <= 1.01, timeout=30)  # as the worker last read it
    assert wait_for(lambda: any("over 80% of its size cap" in r.getMessage() for r in caplog.records), timeout=30)
    client.close(0.1)


def test_a_failed_send_straight_from_the_journal_comes_into_the_spool_under_its_cap(loopback, tmp_path):
    """A request sent straight from the journal (a loan) puts its lines into the spool only when it fails again
    (an isolated failure resends the loan as it is): the size cap and its overflow policy hold for them as for any
    write (they once went past it, uncounted)."""
    server = loopback(lambda path, body: (503, {}, b""))
    client = RuntimeClient("site-1", "key", track_url=server.url, spool=str(tmp_path / "s.sqlite3"),
                           spool_max_bytes=100_000, **{**FAST, "flush_interval": 30})  # no journal thread tick
    client.batch([{"type": "person", "identifiers": {"id": f"u{i}"}, "action": "event", "name": "clicked",
                   "attributes": {"pad": "x" * 1000}} for i in range(300)])  # about 330 kB, one write
    client.flush(0.1)  # wakes the send thread: it lends the file's lines (the journal thread leaves them to it)
    assert wait_for(lambda: len(server.requests) >= 2)
    assert wait_for(lambda: client.spool.store.loans() == [])  # the loan ended: into the spool
    assert client.intake.unread() == 0
    assert wait_for(lambda: client.health()["counters"]["overflowed"] > 0)
    assert client.spool.store.fill() <= 1.01
    client.close(0.1)
