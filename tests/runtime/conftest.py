"""Real parts for the runtime tests: the fake Customer.io on loopback and a real redis-server on a free port."""
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flake8_cio.runtime.testing import API_KEY, SITE_ID, FakeCustomerIO, fake_customerio  # noqa: F401

FAST = dict(flush_interval=0.02, breaker_cooldown=0.3, max_backoff=0.2, retry_budget=3, timeout=1.0,
            shutdown_timeout=3.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def make_client(tmp_path, fake_customerio):  # noqa: F811
    """Runtime clients pointed at the fake server, each closed after the test."""
    from flake8_cio.runtime import RuntimeClient

    clients = []

    def make(url=None, spool=None, **options):
        client = RuntimeClient(SITE_ID, API_KEY, track_url=url or fake_customerio.url,
                               spool=spool or str(tmp_path / "spool.sqlite3"), **{**FAST, **options})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close(0.5)


def start_redis(directory):
    """A real redis-server (Debian's package, installed by scripts/test.sh) on a free loopback port: (url, process)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run the tests through scripts/test.sh")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), "--save", "",
         "--appendonly", "yes", "--appendfsync", "always"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return f"redis://127.0.0.1:{port}/0", process


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url, process = start_redis(tmp_path_factory.mktemp("redis"))
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the test's own, to stall (SIGSTOP) or stop: (url, process)."""
    url, process = start_redis(tmp_path)
    yield url, process
    os.kill(process.pid, signal.SIGCONT)
    process.terminate()
    process.wait(10)


def break_spool(client):
    """Close a client's SQLite connection under it (the file gone, the disk full, ...), holding the process-wide
    lock as every SQLite call does: closing it while a worker thread is inside SQLite crashes the interpreter."""
    from flake8_cio.runtime.spool import SQLiteSpool

    with SQLiteSpool.lock:
        client._spool.store.db.close()


def wait_for(predicate, timeout=10.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def open_with(client, depth):
    """The circuit is open with `depth` events kept (health's depth is read by the worker every STATS_EVERY)."""
    health = client.health()
    return health["circuit"] == "open" and health["spool_depth"] == depth


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many clients connect at once: the default backlog of 5 resets some


class Loopback:
    """A plain HTTP server of the tests' own on 127.0.0.1, independent of the bundled fake. `answer(path, body)`
    decides each reply as (status, headers, body), or None to hang until the server stops. Every operation of a
    2xx reply is recorded, so a test counts delivered and duplicated events exactly."""

    def __init__(self, answer=None):
        self.answer = answer or (lambda path, body: (200, {}, b"{}"))
        self.requests = []  # (path, headers, body)
        self.accepted = []  # operations (v2 batch items, v1 bodies) of 2xx replies
        self.hanging = 0
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _handler(self):
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with loopback.lock:
                    loopback.requests.append((self.path, dict(self.headers), body))
                reply = loopback.answer(self.path, body)
                if reply is None:
                    with loopback.lock:
                        loopback.hanging += 1
                    loopback.closing.wait()
                    return
                status, headers, data = reply
                if 200 <= status < 300:
                    payload = json.loads(body)
                    with loopback.lock:
                        loopback.accepted.extend(payload["batch"] if "batch" in payload else [payload])
                self.send_response(status)
                for name, value in {"Content-Length": str(len(data)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def stop(self):
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback():
    servers = []

    def make(answer=None):
        servers.append(Loopback(answer))
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


def track_across_files(client, count=5000, every=200):
    """Track `count` events ("i" in their data), letting the journal's reader catch up every `every` so that most
    go through the journal's files as they rotate; the names of the files they went through."""
    files = set()
    for i in range(count):
        client.track(f"u{i}", "clicked", {"i": i})
        files.add(client.intake.name)
        if i % every == every - 1:
            assert wait_for(lambda: client.intake.unread() == 0)
    return files


def tally(accepted, sent):
    """Exact counts over `sent` (the indexes a producer tracked, carried in the event data as "i"). A duplicate
    is a redelivery under the same id (Customer.io drops it); `extra_ids` counts events sent under two ids."""
    indexes = [op.get("attributes", op.get("data", {})).get("i") for op in accepted]
    ids = [op["id"] for op in accepted]
    delivered = set(indexes) & set(sent)
    return {"sent": len(sent), "delivered": len(delivered), "lost": len(set(sent) - delivered),
            "duplicated": len(ids) - len(set(ids)), "foreign": len(set(indexes) - set(sent)),
            "extra_ids": len(set(zip(indexes, ids))) - len(set(indexes))}  # an event sent under two ids
