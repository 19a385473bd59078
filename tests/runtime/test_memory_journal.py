"""Issue 20 item 5, spool="none": callers copy each event into a file in memory (memfd) as they copy it into the
journal file on disk, and the send thread sends straight from it; memory entries are made only for what a failed
request or a stalled sender leaves. Exact counts against a server of the tests' own."""
import itertools
import os

import pytest

from flake8_cio.runtime import RuntimeClient, journal
from flake8_cio.runtime.spool import MemorySpool
from flake8_cio.runtime.testing import API_KEY, SITE_ID

from .conftest import FAST, tally, wait_for

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="a file in memory: Linux")]


def memory_client(url, **options):
    return RuntimeClient(SITE_ID, API_KEY, track_url=url, spool="none", **{**FAST, "timeout": 30, **options})


def per_customer(accepted):
    """Each customer's event indexes in the order the server accepted them."""
    order = {}
    for op in accepted:
        order.setdefault(op["identifiers"]["id"], []).append(op["attributes"]["i"])
    return order


def test_memory_events_go_straight_from_a_file_in_memory_once_each_in_order(loopback, monkeypatch):
    """No entry per event (the journal thread leaves the file to the send thread while it sends: flush_interval
    5 s); every event arrives once, each customer's in the order tracked."""
    entries = []
    put = MemorySpool.put
    monkeypatch.setattr(MemorySpool, "put", lambda self, texts: entries.extend(texts) or put(self, texts))
    server = loopback()
    client = memory_client(server.url, flush_interval=5.0)
    for i in range(3000):
        client.track(f"u{i % 10}", "clicked", {"i": i})
    assert client.intake.pos > 3000 * 100  # the callers' copies: in the file in memory
    assert client.flush(30)
    counts = tally(server.accepted, range(3000))
    assert counts["delivered"] == 3000 and counts["duplicated"] == counts["extra_ids"] == 0
    assert all(order == sorted(order) for order in per_customer(server.accepted).values())
    assert entries == [] and client.health()["counters"]["sent"] == 3000
    assert client.close(1)


def test_failed_requests_from_memory_send_the_same_events_again(loopback):
    """Every 3rd request answered 503: the failed loans are sent again (the same lines, or as memory entries
    after a second failure); every event arrives exactly once, under its one id."""
    requests = itertools.count(1)
    server = loopback(lambda path, body: (503, {}, b"{}") if next(requests) % 3 == 0 else (200, {}, b"{}"))
    client = memory_client(server.url, batch_size=100)
    for i in range(3000):
        client.track(f"u{i}", "clicked", {"i": i})
    assert client.flush(60)
    counts = tally(server.accepted, range(3000))
    assert counts["delivered"] == 3000 and counts["duplicated"] == counts["extra_ids"] == counts["foreign"] == 0
    health = client.health()["counters"]
    assert health["sent"] == 3000 and health["retried"] > 0 and health["overflowed"] == health["dropped"] == 0
    assert client.close(1)


def test_close_counts_what_memory_still_had_as_lost(loopback):
    """A hanging server: the events on loan to the hanging request and those not sent yet are all counted as
    dropped at close(), which returns False."""
    server = loopback(lambda path, body: None)
    client = memory_client(server.url)
    for i in range(50):
        client.track(f"u{i}", "clicked", {"i": i})
    assert wait_for(lambda: server.hanging >= 1)
    for i in range(50, 80):
        client.track(f"u{i}", "clicked", {"i": i})
    assert client.close(0.5) is False
    assert client.health()["counters"]["dropped"] == 80 and server.accepted == []


def test_an_idled_client_frees_its_file_in_memory_and_delivers_what_it_held(loopback):
    """idle() (too many active clients) ends the file in memory: its pages (4 MiB faulted in ahead of the callers,
    up to 32 MiB written) are not held by a client nobody calls; what it still had is sent after the next call."""
    answers = {"status": 503}
    server = loopback(lambda path, body: (answers["status"], {}, b"{}"))
    client = memory_client(server.url)
    for i in range(100):
        client.track(f"u{i}", "clicked", {"i": i})
    assert wait_for(lambda: client.health()["counters"]["retried"] > 0)
    client.idle(0.2)
    assert client.intake.fd == -1 and client.health()["counters"]["dropped"] == 0
    answers["status"] = 200
    for i in range(100, 200):
        client.track(f"u{i}", "clicked", {"i": i})
    assert client.flush(30)
    counts = tally(server.accepted, range(200))
    assert counts["delivered"] == 200 and counts["duplicated"] == counts["extra_ids"] == 0
    assert client.close(1)


def test_files_in_memory_rotate_and_every_event_arrives_once(loopback, monkeypatch):
    """Small files (64 KiB, a new one every 16 KiB read): what the send thread had not taken of an old file goes
    into the memory spool before the file is gone; none lost or sent twice."""
    monkeypatch.setattr(journal, "FILE_BYTES", 64 << 10)
    monkeypatch.setattr(journal, "ROTATE_BYTES", 16 << 10)
    server = loopback()
    client = memory_client(server.url)
    files = set()
    for i in range(5000):
        client.track(f"u{i}", "clicked", {"i": i})
        files.add(client.intake.name)
        if i % 200 == 199:
            assert wait_for(lambda: client.intake.unread() == 0)
    assert client.flush(30)
    counts = tally(server.accepted, range(5000))
    assert counts["delivered"] == 5000 and counts["duplicated"] == counts["extra_ids"] == 0
    assert len(files) > 5 and client.health()["counters"]["overflowed"] == 0
    assert client.close(1)


def test_a_failed_loans_lines_are_claimed_memory_entries_within_the_bound():
    """They are settled as claimed ones; released, they come before every entry never claimed."""
    spool = MemorySpool(limit=3)
    assert spool.put(["a", "b"]) == 2
    lent = spool.lent(["c", "d"])  # room for one
    assert [e.text for e in lent] == ["c"] and spool.depth() == 3
    spool.release([lent[0].key])
    assert [e.text for e in spool.claim(10, 1000)] == ["c", "a", "b"]  # released before the never claimed
