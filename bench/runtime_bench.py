"""The runtime client against the official `customerio` client, both talking to the fake Customer.io on loopback
(HTTPS with a throw-away CA for the official client, which speaks only HTTPS).

(a) caller-side latency of track(): p50/p99, runtime vs official (target: runtime p99 < 50 us and >= 100x lower);
(b) delivered events/s with the API limited to 100 requests/s (target: >= 50x the official client);
(c) events lost across an outage plus kill -9 and restart (target: 0).
Medians over --runs runs. Usage: python bench/runtime_bench.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import customerio
import trustme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from flake8_cio.runtime import RuntimeClient  # noqa: E402
from flake8_cio.runtime.testing import API_KEY, SITE_ID, FakeCustomerIO  # noqa: E402


def tls_context(tmp: Path) -> ssl.SSLContext:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    os.environ["REQUESTS_CA_BUNDLE"] = str(tmp / "ca.pem")
    return context


def percentiles(samples):
    samples = sorted(samples)
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99)]


def latency(tmp: Path) -> tuple[tuple, tuple]:
    fake = FakeCustomerIO(tls=tls_context(tmp))
    official = customerio.CustomerIO(SITE_ID, API_KEY, host="127.0.0.1", port=fake.port)
    official_times = []
    for i in range(300):
        start = time.perf_counter()
        official.track(f"u{i}", "clicked", {"i": i})
        official_times.append(time.perf_counter() - start)
    fake.stop()
    plain = FakeCustomerIO()
    runtime = RuntimeClient(SITE_ID, API_KEY, track_url=plain.url, spool=str(tmp / "lat.sqlite3"), max_queue=100_000)
    runtime.track("warm", "warm_up")
    runtime_times = []
    for i in range(20_000):
        start = time.perf_counter()
        runtime.track(f"u{i}", "clicked", {"i": i})
        runtime_times.append(time.perf_counter() - start)
    runtime.close(30)
    plain.stop()
    return percentiles(official_times), percentiles(runtime_times)


def throughput(tmp: Path, seconds: float = 5.0) -> tuple[float, float]:
    fake = FakeCustomerIO(tls=tls_context(tmp))
    fake.rate_limit = 100
    official = customerio.CustomerIO(SITE_ID, API_KEY, host="127.0.0.1", port=fake.port)
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        try:
            official.track(f"u{i}", "clicked")
        except customerio.CustomerIOException:
            pass
        i += 1
    official_rate = len(fake.events) / seconds
    fake.stop()
    plain = FakeCustomerIO()
    plain.rate_limit = 100
    runtime = RuntimeClient(SITE_ID, API_KEY, track_url=plain.url, spool=str(tmp / "tp.sqlite3"), batch_size=500,
                            max_queue=200_000, rate_limit=100)
    count = 100_000
    start = time.monotonic()
    for i in range(count):
        runtime.track(f"u{i}", "clicked")
    runtime.flush(120)
    runtime_rate = len(plain.unique_events()) / (time.monotonic() - start)
    runtime.close(5)
    plain.stop()
    return official_rate, runtime_rate


PRODUCER = """
import sys, time
from flake8_cio.runtime import RuntimeClient
client = RuntimeClient(sys.argv[3], sys.argv[4], track_url=sys.argv[1], spool=sys.argv[2], flush_interval=0.05,
                       retry_budget=2, max_backoff=0.2, timeout=0.5)
for i in range(int(sys.argv[5])):
    client.track(f"u{i}", "imported", {"i": i})
while client.health()["spool_depth"] < int(sys.argv[5]):
    time.sleep(0.01)
print("journaled", flush=True)
time.sleep(600)
"""


def loss(tmp: Path, count: int = 5000) -> int:
    fake = FakeCustomerIO()
    url = fake.url
    fake.stop()  # the outage
    spool = str(tmp / "loss.sqlite3")
    producer = subprocess.Popen([sys.executable, "-c", PRODUCER, url, spool, SITE_ID, API_KEY, str(count)],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert producer.stdout.readline().strip() == "journaled"
    os.kill(producer.pid, signal.SIGKILL)
    producer.wait()
    fake.restart()
    client = RuntimeClient(SITE_ID, API_KEY, track_url=url, spool=spool)
    client.flush(60)
    client.close(5)
    delivered = {e["data"]["i"] for e in fake.unique_events()}
    fake.stop()
    return count - len(delivered)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = {"off_p50": [], "off_p99": [], "rt_p50": [], "rt_p99": [], "off_eps": [], "rt_eps": [], "lost": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            (o50, o99), (r50, r99) = latency(Path(tmp))
            off_eps, rt_eps = throughput(Path(tmp))
            lost = loss(Path(tmp))
        for key, value in zip(rows, (o50, o99, r50, r99, off_eps, rt_eps, lost)):
            rows[key].append(value)
    m = {key: statistics.median(values) for key, values in rows.items()}
    print(f"(a) track() latency p50/p99: official {m['off_p50']*1e6:.0f}/{m['off_p99']*1e6:.0f} us, "
          f"runtime {m['rt_p50']*1e6:.1f}/{m['rt_p99']*1e6:.1f} us; p99 ratio {m['off_p99']/m['rt_p99']:.0f}x")
    print(f"(b) delivered events/s at 100 req/s: official {m['off_eps']:.0f}, runtime {m['rt_eps']:.0f}; "
          f"ratio {m['rt_eps']/m['off_eps']:.0f}x")
    print(f"(c) events lost across outage + kill -9 + restart: max {max(rows['lost'])} over {args.runs} runs")


if __name__ == "__main__":
    main()
