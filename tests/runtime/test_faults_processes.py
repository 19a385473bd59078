"""multiprocessing children (fork and spawn, Process and Pool) that exit without flush(), and SIGTERM: nothing they
tracked is lost. Children leave through os._exit (no atexit): they deliver on multiprocessing's exit path, or,
when terminated, journal on SIGTERM for the next process on the spool."""
import os
import subprocess
import sys
import textwrap

import pytest

from flake8_cio.runtime.testing import API_KEY, SITE_ID

from .conftest import tally
from .test_faults_kill import replay

pytestmark = pytest.mark.timeout(180)

SCRIPT = textwrap.dedent(f"""
    import multiprocessing, sys, time
    from flake8_cio.runtime import get_client

    def work(first):
        # only an exit path saves them:
        client = get_client("{SITE_ID}", "{API_KEY}", flush_interval=30, batch_size=1000)
        for i in range(first, first + 50):
            client.track(f"u{{i}}", "child", {{"i": i}})
        return first

    def linger(first, ready):
        work(first)
        ready.set()
        time.sleep(60)

    if __name__ == "__main__":
        context = multiprocessing.get_context(sys.argv[1])
        kind = sys.argv[2]
        if kind == "process":
            children = [context.Process(target=work, args=(k * 50,)) for k in range(4)]
            for child in children:
                child.start()
            for child in children:
                child.join()
        elif kind == "pool-close":
            pool = context.Pool(2)
            pool.map(work, [0, 50, 100, 150])
            pool.close()
            pool.join()
        elif kind == "pool-with":  # Pool.__exit__ is terminate(): SIGTERM to every worker
            with context.Pool(2) as pool:
                pool.map(work, [0, 50, 100, 150])
        elif kind == "sigterm":  # a prefork worker told to stop
            ready = context.Event()
            child = context.Process(target=linger, args=(0, ready))
            child.start()
            ready.wait(30)
            child.terminate()
            child.join()
            assert child.exitcode == -15, child.exitcode  # still dies of the signal
        print("done", flush=True)
""")
COUNT = {"process": 200, "pool-close": 200, "pool-with": 200, "sigterm": 50}


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("kind", ["process", "pool-close", "pool-with", "sigterm"])
def test_children_exiting_without_flush_lose_nothing(loopback, tmp_path, method, kind):
    server = loopback()
    spool = str(tmp_path / "spool.sqlite3")
    env = {**os.environ, "CUSTOMERIO_TRACK_URL": server.url, "CUSTOMERIO_SPOOL": spool}
    script = tmp_path / "children.py"  # spawn re-imports the main module: it must be a file
    script.write_text(SCRIPT)
    result = subprocess.run([sys.executable, str(script), method, kind], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "done", result.stderr
    sent = list(range(COUNT[kind]))
    delivered_by_children = tally(server.accepted, sent)
    replay(server.url, spool)
    counts = tally(server.accepted, sent)
    print(method, kind, "delivered by the children:", delivered_by_children["delivered"], "after replay:", counts)
    assert counts["lost"] == 0 and counts["extra_ids"] == 0 and counts["sent"] == COUNT[kind]
    if kind in ("process", "pool-close"):  # a normal exit delivers at once, no replay needed
        assert delivered_by_children["lost"] == 0 and counts["duplicated"] == 0
