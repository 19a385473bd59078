"""Issue 20, durable on return: once track() returns, the event is in the kernel (the journal file), so SIGKILL or
os._exit at any moment loses nothing accepted, and the next process replays the journal exactly once; a poison
value holds back nothing else; another process's lock on the spool never holds the caller; flush() returns True
only when every accepted event is delivered or reported. Exact counts, against servers of the tests' own."""
import json
import os
import random
import resource
import signal
import subprocess
import sys
import textwrap
import threading
import time
from decimal import Decimal

import pytest

from flake8_cio.runtime import Refused, RuntimeClient, journal
from flake8_cio.runtime.spool import FallbackSpool, Limits, SQLiteSpool
from flake8_cio.runtime.testing import API_KEY, SITE_ID

from .conftest import FAST, tally, track_across_files, wait_for
from .test_spool_failures import lock_sqlite, unlock

pytestmark = pytest.mark.timeout(240)

PRODUCER = textwrap.dedent(f"""
    import os, sys, threading
    from flake8_cio.runtime import RuntimeClient
    client = RuntimeClient("{SITE_ID}", "{API_KEY}", track_url=sys.argv[1], spool=sys.argv[2],
                           flush_interval=float(sys.argv[3]))  # otherwise the defaults
    count = int(sys.argv[4])

    def produce(first, step):
        for i in range(first, count, step):
            client.track(f"u{{i}}", "clicked", {{"i": i}})
            if count < 0 or step == 1:
                print(i, flush=True)

    if count < 0:  # until killed: one producer printing what each returned call accepted
        count = 10**9
        produce(0, 1)
    threads = [threading.Thread(target=produce, args=(k, 10)) for k in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("done", flush=True)
    os._exit(0)  # as a multiprocessing child or a forked worker leaves: no atexit, no flush
""")


def produce(url, spool, count=-1, flush_interval=0.5):
    return subprocess.Popen([sys.executable, "-c", PRODUCER, url, spool, str(flush_interval), str(count)],
                            stdout=subprocess.PIPE, text=True)


def deliver_all(url, spool):
    """A new process's client on the spool: it replays the dead producer's journal, then delivers everything."""
    client = RuntimeClient(SITE_ID, API_KEY, track_url=url, spool=spool, **FAST)
    try:
        assert wait_for(lambda: client.flush(5) and client.health()["spool_depth"] == 0, timeout=60)
    finally:
        client.close(1)


@pytest.mark.parametrize("api", ["healthy", "hanging"])
def test_sigkill_at_a_random_moment_loses_nothing_accepted(loopback, tmp_path, api):
    """Five runs, each killed 50-400 ms after the first track() returned: every event whose call returned is
    delivered (by the next process when the first died first), and a redelivery carries the same id."""
    rng = random.Random(20)
    totals = {"sent": 0, "delivered": 0, "lost": 0, "extra_ids": 0}
    for run in range(5):
        server = loopback(None if api == "healthy" else lambda path, body: None)
        spool = str(tmp_path / f"spool{run}.sqlite3")
        producer = produce(server.url, spool)
        accepted = [int(producer.stdout.readline())]
        kill_at = time.monotonic() + rng.uniform(0.05, 0.4)
        while time.monotonic() < kill_at:
            accepted.append(int(producer.stdout.readline()))
        os.kill(producer.pid, signal.SIGKILL)
        producer.wait()
        accepted += [int(line) for line in producer.stdout.read().split()]  # printed before the kill
        healthy = loopback() if api == "hanging" else server
        deliver_all(healthy.url, spool)
        counts = tally(healthy.accepted, accepted)
        for key in totals:
            totals[key] += counts[key]
    print(f"SIGKILL at random moments, {api} API:", totals)
    assert totals["sent"] > 50 and totals["lost"] == 0 and totals["extra_ids"] == 0


def test_os_exit_right_after_the_calls_loses_nothing(loopback, tmp_path):
    """Ten threads track 20,010 events and the process leaves through os._exit (no atexit, no flush): all 20,010
    are delivered, by it or the next process; only events of its request in flight at the exit arrive twice."""
    first, then = loopback(), loopback()
    spool = str(tmp_path / "spool.sqlite3")
    producer = produce(first.url, spool, count=20_010)
    assert producer.stdout.read().split()[-1] == "done" and producer.wait() == 0
    deliver_all(then.url, spool)
    counts = tally(first.accepted + then.accepted, range(20_010))
    print("os._exit after 20,010 calls:", counts)
    assert counts["lost"] == counts["extra_ids"] == 0
    whole = [body for _, _, body in first.requests if _parses(body)]  # the exit may cut the last body short
    in_flight = {op["id"] for op in json.loads(whole[-1])["batch"]} if whole else set()
    assert {op["id"] for op in first.accepted} & {op["id"] for op in then.accepted} <= in_flight


def _parses(body) -> bool:
    try:
        json.loads(body)
    except ValueError:  # cut off by os._exit mid-send: never accepted, so never a duplicate
        return False
    return True


def test_a_dead_processs_journal_is_replayed_exactly_once_by_two_processes_starting_together(loopback, tmp_path):
    """Nothing was spooled (flush_interval 60 s) when the producer died, its one request (straight from the
    journal) hanging: two clients opening the spool at once both find the journal; one replays it (with the lines
    of that request), and every event arrives exactly once."""
    server, hung = loopback(), loopback(lambda path, body: None)
    spool = str(tmp_path / "spool.sqlite3")
    producer = produce(hung.url, spool, count=3000, flush_interval=60)
    assert producer.stdout.read().split()[-1] == "done"
    assert list(tmp_path.glob("*.journal"))
    clients = [RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=spool, **FAST) for _ in range(2)]
    try:
        assert wait_for(lambda: len(server.accepted) >= 3000 and all(c.flush(1) for c in clients), timeout=60)
    finally:
        for client in clients:
            client.close(1)
    counts = tally(server.accepted, range(3000))
    assert counts["lost"] == counts["duplicated"] == counts["extra_ids"] == 0 and len(server.accepted) == 3000
    assert not list(tmp_path.glob("*.journal"))  # replayed and removed


def test_poison_values_hold_back_nothing(loopback, make_client):
    """Lone surrogates, bytes ids and too-deep nesting interleaved with 3,000 good events: each bad call is
    answered (raised, or sent as the official client sends it), no good event is lost, durability stays on."""
    server = loopback()
    reported = []
    client = make_client(url=server.url, on_error=lambda reasons, ops: reported.extend(reasons.values()),
                         timeout=30)  # a request slower than FAST's 1 s is sent twice (same ids): not tested here
    deep = []
    for _ in range(100_000):  # too deep for json on every interpreter (3.13 encodes 3,000 levels)
        deep = [deep]
    poison = [
        (lambda i: client.track(f"u{i}", "clicked", {"i": i, "s": "\ud800"}), None),  # sent, escaped
        (lambda i: client.identify(f"u{i}", i=i, name="x\udfffy"), None),
        (lambda i: client.track(f"u{i}", "clicked\ud800", {"i": i}), None),
        (lambda i: client.track(f"u\ud800{i}", "clicked"), "lone surrogate"),
        (lambda i: client.track(f"u{i}".encode(), "clicked"), "is bytes"),
        (lambda i: client.track(f"u{i}", "clicked", {"deep": deep}), "nested too deeply"),
        (lambda i: client.identify(f"u{i}", price=Decimal("1.5")), "price"),
    ]
    good, escaped, raised = [], [], 0
    for i in range(3000):
        client.track(f"u{i}", "clicked", {"i": i})
        good.append(i)
        call, error = poison[i % len(poison)]
        index = 10_000 + i
        if error is None:
            call(index)
            escaped.append(index)
        else:
            with pytest.raises(Refused, match=error):  # each the official client's exception for it
                call(index)
            raised += 1
    assert client.flush(30)
    events = [op for op in server.accepted if op["action"] == "event"]
    identified = [op["attributes"]["i"] for op in server.accepted if op["action"] == "identify"]
    counts = tally(events, good + [i for i in escaped if (i - 10_000) % len(poison) != 1])
    assert counts["lost"] == counts["duplicated"] == counts["foreign"] == 0 and not reported
    assert sorted(identified) == [i for i in escaped if (i - 10_000) % len(poison) == 1]
    assert raised == sum(1 for i in range(3000) if poison[i % len(poison)][1])
    health = client.health()
    assert health["spool"] == "SQLiteSpool" and health["memory_only_since"] is None
    assert health["counters"]["unjournaled"] == 0
    sent = [op for op in server.accepted if op.get("attributes", {}).get("s") == "\ud800"]
    assert sent and all(json.dumps(op["attributes"]["s"]) == '"\\ud800"' for op in sent)


@pytest.mark.parametrize("durable, count", [("batch", 20_000), ("sync", 2_000)])  # sync: an fdatasync a call
def test_a_foreign_exclusive_lock_never_holds_the_caller(loopback, tmp_path, monkeypatch, durable, count):
    """Another process holds BEGIN EXCLUSIVE on the spool until every call returned, against a hanging server:
    the calls all return while it holds the lock (a call that waited for it would wait until the lock is let go,
    after them: the spool's writes wait that long here), and every event is delivered afterwards."""
    monkeypatch.setattr(SQLiteSpool, "BUSY_TIMEOUT", 600.0)
    hanging = loopback(lambda path, body: None)
    spool = str(tmp_path / "spool.sqlite3")
    client = RuntimeClient(SITE_ID, API_KEY, track_url=hanging.url, spool=spool, durable=durable)
    client.track("u-warm", "warm_up")
    locker = lock_sqlite(spool, "EXCLUSIVE")
    calls = threading.Thread(target=lambda: [client.track(f"u{i}", "clicked", {"i": i}) for i in range(count)])
    try:
        calls.start()
        assert wait_for(lambda: not calls.is_alive(), timeout=180)  # while the lock is held
    finally:
        unlock(locker)
    client.close(1)
    healthy = loopback()
    deliver_all(healthy.url, spool)
    counts = tally(healthy.accepted, range(count))
    assert counts["lost"] == 0 and counts["extra_ids"] == 0


def test_flush_is_true_only_when_every_accepted_event_is_delivered_or_reported(loopback, tmp_path, monkeypatch):
    """Behind a foreign lock, with a hanging then a healthy server, and after events were lost from memory:
    whenever flush() says True, the server has every accepted event."""
    monkeypatch.setattr(SQLiteSpool, "BUSY_TIMEOUT", 0.5)
    release = threading.Event()
    server = loopback(lambda path, body: (200, {}, b"{}") if release.wait(30) else None)
    spool = str(tmp_path / "spool.sqlite3")
    client = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=spool, **FAST)
    locker = lock_sqlite(spool, "EXCLUSIVE")
    answers = []
    try:
        for i in range(200):
            client.track(f"u{i}", "clicked", {"i": i})
        answers.append((client.flush(0.5), len(server.accepted)))
        release.set()
        answers.append((client.flush(10), len(server.accepted)))
    finally:
        unlock(locker)
    answers.append((client.flush(10), len(server.accepted)))
    assert all(count == 200 for settled, count in answers if settled), answers
    assert answers[0][0] is False and answers[-1] == (True, 200)
    assert client.outstanding() == {"memory": 0, "journal_bytes": 0, "spool": 0, "lost": 0}
    client.close(1)


def test_flush_is_false_once_an_event_was_lost(loopback, tmp_path):
    """The journal folder unusable and memory full: the events beyond max_queue are lost (counted, logged), so
    flush() never says everything was delivered."""
    server = loopback()
    folder = tmp_path / "spool"
    folder.mkdir()
    client = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=str(folder / "s.sqlite3"), max_queue=10,
                           **{**FAST, "flush_interval": 5.0})
    client.intake.finish(client.spool)  # as after a failed write: no journal from now on
    for i in range(20):
        client.track(f"u{i}", "clicked", {"i": i})
    assert not client.flush(3) and client.outstanding()["lost"] == 10
    assert tally(server.accepted, range(20))["delivered"] == 10
    client.close(1)


def test_journals_rotate_and_every_event_arrives_once(loopback, tmp_path, monkeypatch):
    """Small journals (64 KiB, started afresh every 16 KiB read): 5,000 events through many files, each old file
    read to its end and removed; what a full file could not take waited in memory (counted); none lost or sent
    twice."""
    from flake8_cio.runtime import journal

    monkeypatch.setattr(journal, "FILE_BYTES", 64 << 10)
    monkeypatch.setattr(journal, "ROTATE_BYTES", 16 << 10)
    server = loopback()
    client = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=str(tmp_path / "s.sqlite3"),
                           **{**FAST, "timeout": 30})  # a request slower than FAST's 1 s is sent twice (same ids)
    files = track_across_files(client)
    assert client.flush(30)
    counts = tally(server.accepted, range(5000))
    assert counts["lost"] == counts["duplicated"] == counts["extra_ids"] == 0
    assert len(files) > 5 and len(list(tmp_path.glob("*.journal"))) == 1  # the current one
    client.close(1)
    assert not list(tmp_path.glob("*.journal"))


@pytest.mark.skipif(journal._LIBC is None, reason="ranged syncs through libc: Linux")
@pytest.mark.parametrize("durable", ["batch", "sync"])
def test_a_sync_leaves_the_pages_ahead_of_the_callers_writable(tmp_path, durable):
    """After the journal is synced (each tick with "batch", each call with "sync"), the caller's copies into the
    pages faulted in ahead of it fault no more (counted by the kernel: getrusage): a sync of the whole file left
    every page read-only, so that the first copy into each page faulted again (200 pages: 200 faults)."""
    intake = journal.Intake(tmp_path, "s.sqlite3", durable, 10, lambda kept: None, lambda: None)
    line = b'{"i":"' + b"0" * 4087 + b'"}\n'  # a page a call
    assert len(line) == 4096
    intake.put(line)
    intake.prefault()
    intake.sync()
    faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for _ in range(200):
        intake.put(line)
    assert resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - faults <= 2  # the page a sync wrote last
    assert intake.error is None and intake.pos == 201 * len(line)
    name = intake.name
    intake.finish(None)
    journal.ABANDONED.discard(name)


def test_a_new_journal_is_faulted_in_before_the_callers_reach_it(loopback, tmp_path):
    """The first call creates the journal and wakes the journal thread, which faults in the pages the callers write
    next, without waiting for its next tick."""
    hanging = loopback(lambda path, body: None)  # the send thread, which prefaults after each send, waits
    client = RuntimeClient(SITE_ID, API_KEY, track_url=hanging.url, spool=str(tmp_path / "s.sqlite3"),
                           **{**FAST, "flush_interval": 60.0, "timeout": 60.0})
    client.track("u1", "clicked")
    assert wait_for(lambda: client.intake.faulted >= journal.PREFAULT_BYTES or journal.POPULATE_WRITE is None)
    client.close(0.5)


def test_the_journal_thread_faults_pages_in_first(make_client, monkeypatch):
    """Woken (a new file), the journal thread faults its pages in before its other work: each step of that work
    that lets go of the GIL (SQLite) waits up to the switch interval (5 ms) to take it back while a burst of calls
    runs, and those calls faulted each new page themselves meanwhile (5-30 us a page here: bench/README)."""
    from flake8_cio.runtime.delivery import Worker

    steps = []

    def recorded(cls, name):
        method = getattr(cls, name)

        def step(self, *args, **kwargs):
            if threading.current_thread().name == "flake8-cio-journal":
                steps.append(name)
            return method(self, *args, **kwargs)
        monkeypatch.setattr(cls, name, step)

    recorded(journal.Intake, "prefault")
    recorded(Worker, "journal")
    make_client().track("u1", "clicked", {"i": 1})
    assert wait_for(lambda: len(steps) >= 2)
    assert steps[:2] == ["prefault", "journal"]


@pytest.mark.skipif(journal.POPULATE_WRITE is None, reason="MADV_POPULATE_WRITE: Linux")
def test_the_call_that_makes_a_journal_file_faults_its_first_pages_in(tmp_path):
    """The first pages of a new file are faulted in by the call that makes it (the journal thread, woken, may
    wait for the GIL before it faults in the rest): the calls after it fault no page of them (counted by the
    kernel: getrusage; 100 pages: 100 faults before)."""
    intake = journal.Intake(tmp_path, "s.sqlite3", "batch", 10, lambda kept: None, lambda: None)
    line = b'{"i":"' + b"0" * 4087 + b'"}\n'  # a page a call
    intake.put(line)
    assert journal.FIRST_PREFAULT_BYTES <= intake.faulted <= journal.FIRST_PREFAULT_BYTES + 4096 or \
        intake.faulted == journal.FILE_BYTES  # (from where its own copy ended)
    if intake.faulted == journal.FILE_BYTES:  # (what prefault() records when madvise refuses it)
        pytest.skip("the kernel lacks MADV_POPULATE_WRITE (Linux 5.14)")
    faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for _ in range(journal.FIRST_PREFAULT_BYTES // len(line) - 2):
        intake.put(line)
    assert resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - faults <= 2
    name = intake.name
    intake.finish(None)
    journal.ABANDONED.discard(name)


def test_a_copy_that_lands_while_the_journal_closes_is_kept_for_the_replay(tmp_path):
    """Callers copy into the journal without a lock (one mmap.write() under the GIL), so a copy may land after
    finish() read how far the file is written: what follows that position up to the first zero byte counts too,
    and the file, whose last line the spool does not have, is kept and replayed."""
    spool = FallbackSpool(lambda: SQLiteSpool(tmp_path / "s.sqlite3", Limits()), 1.0, "spool", lambda count: None)
    intake = journal.Intake(tmp_path, "s.sqlite3", "batch", 10, lambda kept: None, lambda: None)
    line = b'{"type":"person","identifiers":{"id":"u1"},"action":"delete"}\n'
    intake.put(line)
    texts, mark = intake.read()
    assert spool.put(texts, mark) == 1
    intake.consumed(mark)
    intake.append(line)
    intake.map.seek(len(line))  # the position as finish() read it, just before that copy landed
    path = tmp_path / intake.name
    assert intake.finish(spool)  # kept
    journal.ABANDONED.discard(path.name)
    assert journal.replay(path, spool) == 1 and not path.exists()
    spool.close()
