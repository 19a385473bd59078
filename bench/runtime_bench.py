"""The runtime client against the official `customerio` client, both talking to a minimal Track API server on
loopback (HTTPS with a throw-away CA for the official client, which speaks only HTTPS; it accepts every batch and
records ids), run in a process of its own for both clients, so that it never takes their GIL.

(a) caller-side latency of track(), p50/p99: runtime (default: durable on return, one journal write per call; and
    durable="sync", an fdatasync per call) vs the official client called inline and the official client's best
    practice, a background thread fed by a queue (the caller pays the put; nothing survives a crash); the put and
    the runtime's default take turns in blocks, each alone (see latency());
(b) delivered events/s for 100,000 events, the runtime in its default configuration (batches sized by bytes, the
    default 100 requests/s): with no and with 20 % failed requests (every 5th answered 503), and from the memory
    spool (spool="none"), vs the official client behind 4 worker threads (targets: >= 50,000/s; with failures
    >= half the figure without; memory within 1.5x of SQLite);
(c) events lost across an outage, kill -9 and a restart (target: 0).
Medians over --runs runs; ratios are taken within each run. --explain: where the runtime's slow calls (over 10 us)
go, call by call (wall time, the calling thread's CPU time, its page faults). --rate journal|memory|fallback --count N:
one delivery run, for instruction counts (bench/README). Usage: python bench/runtime_bench.py [--runs 5] [--explain]
"""
from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import queue
import re
import resource
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import customerio
import trustme

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from flake8_cio.runtime import RuntimeClient  # noqa: E402

SITE_ID, API_KEY = "bench-site", "bench-key"
EVENT_ID = re.compile(rb'"id":"([0-9A-HJKMNP-TV-Z]{26})"')


class Server:
    """The API server, in a process of its own (spawned: it shares nothing with the clients); `ids()` is how many
    distinct ids it accepted. `cert`: a PEM file of its key and certificate, for HTTPS."""

    def __init__(self, cert: str = "", fail_every: int = 0):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, cert, fail_every), daemon=True)
        self.process.start()
        self.port = self.conn.recv()
        self.url = f"http://127.0.0.1:{self.port}"

    def ids(self) -> int:
        self.conn.send("ids")
        return self.conn.recv()  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.conn.send("stop")
        self.process.join()


def serve(conn, cert: str, fail_every: int) -> None:  # type: ignore[no-untyped-def]
    server = APIServer(fail_every)
    if cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn.send(server.server_address[1])
    try:
        while conn.recv() == "ids":
            with server.lock:
                conn.send(len(server.ids))
    except EOFError:  # the bench died
        pass
    server.shutdown()
    server.server_close()


class APIServer(ThreadingHTTPServer):
    """Answers 200 (or 503 for every `fail_every`-th request), recording the ids it accepted."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, fail_every: int = 0):
        super().__init__(("127.0.0.1", 0), Handler)
        self.fail_every, self.requests, self.ids, self.lock = fail_every, 0, set(), threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body in two writes meet delayed ACKs: 40 ms a request
    server: APIServer

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.requests += 1
            failed = self.server.fail_every and self.server.requests % self.server.fail_every == 0
        if not failed and self.path.endswith("/batch"):  # the ids, read by a regular expression (C, not json.loads
            with self.server.lock:                      # of 500 kB): the bench's events have no "id" key in
                self.server.ids.update(EVENT_ID.findall(body))  # their data
        elif not failed:  # the official client's v1 event: no id
            payload = json.loads(body)
            with self.server.lock:
                self.server.ids.add(f"{self.path}:{payload.get('data', payload).get('i')}")
        status = 503 if failed else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_PUT = do_POST

    def log_message(self, *args: object) -> None:
        pass


def tls_cert(tmp: Path) -> str:
    """A throw-away CA that the official client trusts (REQUESTS_CA_BUNDLE), and the server's PEM file from it."""
    ca = trustme.CA()
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(tmp / "server.pem"))
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    os.environ["REQUESTS_CA_BUNDLE"] = str(tmp / "ca.pem")
    return str(tmp / "server.pem")


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99)]


def timed(call, count: int) -> tuple[float, float]:
    return percentiles(samples(call, range(count)))


def samples(call, indexes: range) -> list[float]:
    times = []
    for i in indexes:
        start = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - start)
    return times


def official_in_background(official: customerio.CustomerIO, workers: int) -> tuple[queue.Queue, list]:
    """The official client's best practice: callers put, worker threads call it."""
    work: queue.Queue = queue.Queue()

    def drain() -> None:
        while (item := work.get()) is not None:
            try:
                official.track(*item)
            except customerio.CustomerIOException:
                pass
            work.task_done()
        work.task_done()

    threads = [threading.Thread(target=drain, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    return work, threads


def stop(work: queue.Queue, threads: list, discard: bool) -> None:
    while discard:
        try:
            work.get_nowait()
        except queue.Empty:
            break
        work.task_done()
    for _ in threads:
        work.put(None)
    work.join()


def latency(tmp: Path, rounds: int = 3, burst: int = 20_000) -> dict[str, tuple[float, float]]:
    """p50/p99 of each way to call. The official put and the runtime's default take turns, a burst of `burst`
    calls each per round (the machine's slow and fast spells, which last seconds, fall on both alike), each alone:
    the put's worker is stopped (its backlog discarded: delivering it one by one takes minutes) and the runtime's
    flushed before the other's burst. A burst is as long as a whole run's used to be: the put's queue grows as
    long (its p99 grows with it: blocks of 4,000 gave the put 2.1-2.6 us against 2.7-4.2)."""
    tls_server, server = Server(cert=tls_cert(tmp)), Server()
    official = customerio.CustomerIO(SITE_ID, API_KEY, host="127.0.0.1", port=tls_server.port)
    result = {"official inline": timed(lambda i: official.track(f"u{i}", "clicked", {"i": i}), 300)}
    runtime = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=str(tmp / "lat-batch.sqlite3"),
                            max_queue=100_000)
    runtime.track("warm", "warm_up")
    puts: list[float] = []
    tracks: list[float] = []
    for start in range(0, rounds * burst, burst):
        work, threads = official_in_background(official, 1)
        puts += samples(lambda i: work.put((f"u{i}", "clicked", {"i": i})), range(start, start + burst))
        stop(work, threads, discard=True)
        tracks += samples(lambda i: runtime.track(f"u{i}", "clicked", {"i": i}), range(start, start + burst))
        runtime.flush(60)
    runtime.close(60)
    tls_server.stop()
    result["official, background thread"], result["runtime durable=batch"] = percentiles(puts), percentiles(tracks)
    runtime = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=str(tmp / "lat-sync.sqlite3"),
                            durable="sync", max_queue=100_000)
    runtime.track("warm", "warm_up")
    result["runtime durable=sync"] = timed(lambda i: runtime.track(f"u{i}", "clicked", {"i": i}), 2_000)  # fsyncs
    runtime.close(60)
    server.stop()
    return result


def runtime_rate(tmp: Path, fail_every: int, spool: str = "", count: int = 100_000) -> float:
    server = Server(fail_every=fail_every)
    runtime = RuntimeClient(SITE_ID, API_KEY, track_url=server.url,
                            spool=spool or str(tmp / f"tp{fail_every}.sqlite3"))  # otherwise the defaults
    start = time.monotonic()
    for i in range(count):
        runtime.track(f"u{i}", "clicked", {"i": i})
    runtime.close(120)
    elapsed = time.monotonic() - start
    delivered = server.ids()
    server.stop()
    assert delivered == count, (delivered, count)
    return count / elapsed


def official_rate(tmp: Path, seconds: float = 5.0, workers: int = 4) -> float:
    server = Server(cert=tls_cert(tmp))
    official = customerio.CustomerIO(SITE_ID, API_KEY, host="127.0.0.1", port=server.port)
    work, threads = official_in_background(official, workers)
    start = time.monotonic()
    i = 0
    while time.monotonic() - start < seconds:
        if work.qsize() < 1000:
            work.put((f"u{i}", "clicked", {"i": i}))
            i += 1
        else:
            time.sleep(0.001)
    stop(work, threads, discard=False)
    rate = server.ids() / (time.monotonic() - start)
    server.stop()
    return rate


def explain(tmp: Path, count: int = 20_000) -> None:
    """Each slow call (over 10 us) of the runtime's default case and of the official background thread's put, put
    down to a page fault of the calling thread, waiting (wall time over its CPU time by 5 us: for the GIL, or
    preempted), or the thread's own CPU time (with the interrupts the kernel charges to it). The last row is the
    control: a pure computation as long as the runtime's median call (CPU), alone in its thread, no I/O."""
    server, tls_server = Server(), Server(cert=tls_cert(tmp))
    runtime = RuntimeClient(SITE_ID, API_KEY, track_url=server.url, spool=str(tmp / "explain.sqlite3"),
                            max_queue=100_000)
    runtime.track("warm", "warm_up")
    official = customerio.CustomerIO(SITE_ID, API_KEY, host="127.0.0.1", port=tls_server.port)
    work, threads = official_in_background(official, 1)
    runtime_cpu = explained("runtime", lambda i: runtime.track(f"u{i}", "clicked", {"i": i}), count)
    explained("official put", lambda i: work.put((f"u{i}", "clicked", {"i": i})), count)
    stop(work, threads, discard=True)
    runtime.close(60)
    server.stop()
    tls_server.stop()
    start = time.thread_time_ns()
    sum(range(1_000_000))
    spin = int(runtime_cpu / ((time.thread_time_ns() - start) / 1_000_000))
    explained(f"sum(range({spin}))", lambda i: sum(range(spin)), count)


def calls(kind: str, count: int) -> None:
    """`count` calls as the latency runs make them, for an instruction count (bench/README): valgrind runs this
    process alone, so the runtime's worker is a stand-in (no thread), and the clock moves 2.5 us a call (under
    valgrind a call is ~50 times longer: a new millisecond would come every ~7 calls instead of ~400)."""
    time.time = itertools.count(time.time(), 2.5e-6).__next__  # type: ignore[assignment]
    tmp = tempfile.mkdtemp()
    runtime = RuntimeClient(SITE_ID, API_KEY, track_url="http://127.0.0.1:9", spool=str(Path(tmp) / "s.sqlite3"),
                            max_queue=count + 1000)
    runtime._worker = argparse.Namespace(journal_wake=threading.Event(), last_active=0.0)  # type: ignore
    work: queue.Queue = queue.Queue()
    call = {"track": lambda customer_id, name, data: runtime.track(customer_id, name, data),
            "no-data": lambda customer_id, name, data: runtime.track(customer_id, name),
            "int-id": lambda customer_id, name, data: runtime.track(data["i"], name, data),
            "put": lambda customer_id, name, data: work.put((customer_id, name, data)),
            "none": lambda customer_id, name, data: None}[kind]
    for i in range(count + 200):  # the first 200: the name's first call, the encoder's first use
        call(f"u{i}", "clicked", {"i": i})
    assert kind not in ("track", "no-data") or runtime.intake.pos > count * 100 and not runtime.intake.queue
    shutil.rmtree(tmp)
    os._exit(0)  # no close() at exit: the stand-in delivers nothing


def explained(name: str, call, count: int) -> float:  # type: ignore[no-untyped-def]
    """Prints the row for `call`; its median CPU time (ns)."""
    walls: list[float] = [0] * count
    cpus: list[float] = [0] * count
    faults = [0] * count
    for i in range(count):
        before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        start, cpu = time.perf_counter_ns(), time.thread_time_ns()
        call(i)
        cpus[i], walls[i] = time.thread_time_ns() - cpu, time.perf_counter_ns() - start
        faults[i] = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before
    slow = [i for i in range(count) if walls[i] > 10_000]
    faulted = [i for i in slow if faults[i]]
    waited = [i for i in slow if not faults[i] and walls[i] - cpus[i] > 5_000]
    (wall50, wall99), (cpu50, cpu99) = percentiles(walls), percentiles(cpus)
    print(f"{name:18} wall p50/p99 {wall50 / 1e3:.1f}/{wall99 / 1e3:.1f} us, CPU p50/p99 {cpu50 / 1e3:.1f}/"
          f"{cpu99 / 1e3:.1f} us; calls over 10 us: {len(slow)} ({100 * len(slow) / count:.2f}%): page fault "
          f"{len(faulted)}, waiting {len(waited)}, CPU {len(slow) - len(faulted) - len(waited)}; page faults in all "
          f"calls {sum(faults)}")
    return cpu50


PRODUCER = """
import sys, time
from flake8_cio.runtime import RuntimeClient
client = RuntimeClient(sys.argv[3], sys.argv[4], track_url=sys.argv[1], spool=sys.argv[2], flush_interval=0.05,
                       retry_budget=2, max_backoff=0.2, timeout=0.5)
for i in range(int(sys.argv[5])):
    client.track(f"u{i}", "imported", {"i": i})
while client.health()["counters"]["spooled"] < int(sys.argv[5]):
    time.sleep(0.01)
print("journaled", flush=True)
time.sleep(600)
"""


def loss(tmp: Path, count: int = 5000) -> int:
    server = Server()
    url = server.url
    down = f"http://127.0.0.1:{server.port + 1}"  # the outage: nothing listens there
    spool = str(tmp / "loss.sqlite3")
    producer = subprocess.Popen([sys.executable, "-c", PRODUCER, down, spool, SITE_ID, API_KEY, str(count)],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert producer.stdout is not None and producer.stdout.readline().strip() == "journaled"
    os.kill(producer.pid, signal.SIGKILL)
    producer.wait()
    client = RuntimeClient(SITE_ID, API_KEY, track_url=url, spool=spool)
    client.close(60)
    lost = count - server.ids()
    server.stop()
    return lost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="where the runtime's slow calls go, then stop")
    parser.add_argument("--rate", choices=("journal", "memory", "fallback"), help="one delivery run of --count "
                        "events, then stop (for an instruction count: valgrind runs this process, not the server's); "
                        "fallback: the SQLite file cannot be opened (a folder), so memory from the start")
    parser.add_argument("--calls", choices=("track", "no-data", "int-id", "put", "none"), help="--count calls of the runtime's "
                        "track() (with the latency runs' data, or none), of the official client's background put, or "
                        "of none (the loop), then stop: for an instruction count (cachegrind, bench/README)")
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    if args.calls:
        calls(args.calls, args.count)
        return
    if args.rate:
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "unusable.sqlite3").mkdir()
            spool = {"journal": "", "memory": "none", "fallback": str(Path(tmp) / "unusable.sqlite3")}[args.rate]
            rate = runtime_rate(Path(tmp), 0, spool=spool, count=args.count)
        print(f"{args.rate}: {args.count} events delivered, {rate:,.0f} events/s")
        return
    if args.explain:
        with tempfile.TemporaryDirectory() as tmp:
            explain(Path(tmp))
        return
    rows: dict[str, list[float]] = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            measured = {f"{name} p{q}": value for name, pair in latency(Path(tmp)).items()
                        for q, value in zip((50, 99), pair)}
            clean, failing = runtime_rate(Path(tmp), 0), runtime_rate(Path(tmp), 5)
            memory = runtime_rate(Path(tmp), 0, spool="none")
            measured.update({"runtime events/s": clean, "runtime events/s, 20% failures": failing,
                             "failure ratio": failing / clean, "runtime events/s, memory spool": memory,
                             "memory/SQLite events/s": memory / clean,
                             "official events/s, 4 threads": official_rate(Path(tmp)), "lost": loss(Path(tmp))})
            measured["p99 ratio, sync/default"] = measured["runtime durable=sync p99"] / measured["runtime durable=batch p99"]
            measured["p99 ratio, runtime/official background"] = (measured["runtime durable=batch p99"]
                                                                  / measured["official, background thread p99"])
            measured["runtime/official events/s"] = clean / measured["official events/s, 4 threads"]
        for key, value in measured.items():
            rows.setdefault(key, []).append(value)
    for key, values in rows.items():
        median = statistics.median(values)
        shown = f"{median * 1e6:,.1f} us" if key.endswith(("p50", "p99")) else f"{median:,.2f}"
        print(f"{key:45} {shown}" + (f"   (max {max(values):.0f})" if key == "lost" else ""))


if __name__ == "__main__":
    main()
