"""Real parts for the runtime tests: the fake Customer.io on loopback and a real redis-server on a free port."""
import shutil
import socket
import subprocess
import time

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


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server (Debian's package, installed by scripts/test.sh) on a free loopback port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run the tests through scripts/test.sh")
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
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
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


def wait_for(predicate, timeout=10.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
