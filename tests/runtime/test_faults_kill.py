"""SIGKILL while the API hangs or answers: every event whose track() returned is in the journal (the last
flush_interval too), and a new process delivers it; duplicates carry identical ids. Against servers of the tests'
own."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from flake8_cio.runtime import RuntimeClient
from flake8_cio.runtime.testing import API_KEY, SITE_ID

from .conftest import FAST, tally, wait_for

pytestmark = pytest.mark.timeout(120)

FLUSH_INTERVAL = 0.5  # the default
PRODUCER = textwrap.dedent(f"""
    import sys, time
    from flake8_cio.runtime import RuntimeClient
    client = RuntimeClient("{SITE_ID}", "{API_KEY}", track_url=sys.argv[1], spool=sys.argv[2],
                           durable=sys.argv[3])  # default timeout, flush_interval and retries
    i = 0
    while True:
        client.track(f"u{{i}}", "clicked", {{"i": i}})
        print(i, time.monotonic(), flush=True)
        i += 1
        time.sleep(0.001)
""")


def run_and_kill(url, spool, durable, ready):
    """Start a producer, SIGKILL it once `ready()` and it tracked for 2 s; the indexes it accepted, split by
    whether they were accepted more than flush_interval before the kill."""
    producer = subprocess.Popen([sys.executable, "-c", PRODUCER, url, spool, durable], stdout=subprocess.PIPE,
                                text=True)
    accepted = []
    for line in producer.stdout:
        index, at = line.split()
        accepted.append((int(index), float(at)))
        if float(at) - accepted[0][1] > 2.0 and ready():  # 2 s of tracking (a loaded machine starts it slowly)
            break
    killed_at = time.monotonic()
    os.kill(producer.pid, signal.SIGKILL)
    producer.wait()
    old = [i for i, at in accepted if at < killed_at - FLUSH_INTERVAL]
    return old, [i for i, _ in accepted]


def replay(url, spool):
    """A new process's client on the spool, until the whole file is delivered."""
    client = RuntimeClient(SITE_ID, API_KEY, track_url=url, spool=spool, **FAST)
    try:
        assert client.flush(30) and wait_for(lambda: client.health()["spool_depth"] == 0, timeout=30)
    finally:
        client.close(1)


@pytest.mark.parametrize("durable", ["batch", "sync"])
def test_kill_9_while_the_api_hangs_loses_nothing_journaled(loopback, tmp_path, durable):
    hung = loopback(lambda path, body: None)  # accepts the connection, reads the request, never answers
    spool = str(tmp_path / "spool.sqlite3")
    old, everything = run_and_kill(hung.url, spool, durable, ready=lambda: hung.hanging >= 1)
    healthy = loopback()
    replay(healthy.url, spool)
    counts = tally(healthy.accepted, everything)
    print("hung API + SIGKILL:", durable, counts, "accepted in the last flush_interval:", len(everything) - len(old))
    assert counts["sent"] > 100 and counts["lost"] == 0 and counts["duplicated"] == counts["extra_ids"] == 0


def test_kill_9_while_the_api_answers_redelivers_only_identical_ids(loopback, tmp_path):
    up = loopback()
    spool = str(tmp_path / "spool.sqlite3")
    _, everything = run_and_kill(up.url, spool, "batch", ready=lambda: len(up.accepted) > 0)
    replay(up.url, spool)
    counts = tally(up.accepted, everything)
    print("healthy API + SIGKILL:", counts)
    assert counts["sent"] > 100 and counts["lost"] == 0 and counts["extra_ids"] == 0  # duplicates: same id
