"""The background worker: journal accepted events to the spool, send them in Track API v2 batches, and decide
per response what is delivered, what is retried (backoff, Retry-After, circuit breaker) and what is dead.

HTTP through urllib3 (no hidden retries: `retries=False`): already a dependency of `customerio` and
`requests`, thread-safe pools, explicit timeouts, no other dependencies.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

import urllib3

from .policy import CircuitBreaker, TokenBucket, backoff, parse_retry_after
from .spool import Entry

log = logging.getLogger("flake8_cio.runtime")

MAX_BATCH_BYTES = 500_000  # Track API v2 /batch request limit
RETRYABLE = {408, 429, 500, 502, 503, 504}
SPLITTABLE = {400, 413, 422}  # one bad or oversized op fails the whole request: bisect to find it
AUTH = {401, 403}


@dataclass
class Settings:
    batch_size: int
    flush_interval: float
    rate_limit: float
    retry_budget: int
    timeout: float
    breaker_cooldown: float
    max_backoff: float


class Counters:
    NAMES = ("accepted", "sent", "retried", "failed", "dropped", "rejected", "spooled", "replayed",
             "deduplicated", "worker_errors")

    def __init__(self):
        self.lock = threading.Lock()
        self.values = dict.fromkeys(self.NAMES, 0)

    def add(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.values[name] += amount

    def snapshot(self) -> dict:
        with self.lock:
            return dict(self.values)


class Worker:
    """One thread per process and client. It never raises: every error is logged, counted and survived."""

    def __init__(self, client, settings: Settings):
        self.client = client
        self.settings = settings
        self.queue: deque = client._queue
        self.counters: Counters = client._counters
        self.http = urllib3.PoolManager(num_pools=2, maxsize=2, retries=False,
                                        timeout=urllib3.Timeout(connect=min(5.0, settings.timeout), read=settings.timeout))
        self.breaker = CircuitBreaker(settings.retry_budget, settings.breaker_cooldown, on_change=self._breaker_changed)
        self.bucket = TokenBucket(settings.rate_limit)
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.retry_at = 0.0
        self.attempt = 0
        self.last_error: str | None = None
        self.thread = threading.Thread(target=self._run, name="flake8-cio-runtime", daemon=True)
        self.thread.start()

    @property
    def spool(self):
        return self.client._spool  # may be swapped for memory if the durable spool fails

    # -- the loop ---------------------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            stopping = self.stopping.is_set()
            try:
                self.journal()
                progressed = self.deliver_some()
            except Exception as error:  # the worker must outlive any bug or backend failure
                self.counters.add("worker_errors")
                self.last_error = f"worker: {error!r}"
                log.exception("flake8-cio runtime worker error (recovered)")
                progressed = False
            if stopping:
                return
            if not progressed:
                self.wake.wait(self._sleep_for())
                self.wake.clear()

    def _sleep_for(self) -> float:
        now = time.monotonic()
        if self.breaker.state == "open":
            return max(0.05, min(self.settings.flush_interval * 4, self.breaker.opened_at + self.breaker.cooldown - now))
        return max(0.01, min(self.settings.flush_interval, self.retry_at - now) if self.retry_at > now
                   else self.settings.flush_interval)

    def journal(self) -> None:
        """Move what callers queued into the spool, in one transaction per chunk."""
        while self.queue:
            chunk = []
            while self.queue and len(chunk) < 200:
                chunk.append(self.queue.popleft())
            texts = self.client.prepare(chunk)
            try:
                stored = self.spool.put(texts) if texts else 0
            except Exception as error:  # disk full, file removed or locked: keep the events, go on in memory
                self.queue.extendleft(reversed(chunk))
                self.client._spool_failed(error)
                continue
            time.sleep(0)  # hand the GIL back between chunks: callers' p99 latency depends on it
            self.counters.add("spooled", stored)
            if stored < len(texts):
                self.counters.add("dropped", len(texts) - stored)
                log.error("flake8-cio runtime: memory spool full, %d events dropped", len(texts) - stored)

    def deliver_some(self) -> bool:
        """Send one claim's worth; True when something was delivered or settled."""
        if time.monotonic() < self.retry_at or not self.breaker.allow():
            return False
        probing = self.breaker.state == "half-open"
        entries = self.spool.claim(1 if probing else self.settings.batch_size, MAX_BATCH_BYTES - 100)
        if not entries:
            return False
        batch = [e for e in entries if not e.text.startswith('{"v1"')]
        singles = [e for e in entries if e.text.startswith('{"v1"')]
        ok = self.send_batch(batch) if batch else True
        for index, entry in enumerate(singles):
            if not ok:  # back off: what is left of this claim goes back to the spool's head
                self.spool.release([e.key for e in singles[index:]])
                break
            ok = self.send_single(entry)
        return ok

    # -- sending -------------------------------------------------------------------------------------------------
    def _post(self, path: str, body: str):
        self.wait_for_token()
        return self.http.request("POST", self.client._track_url + path, body=body.encode(),
                                 headers=self.client._headers, redirect=False)

    def wait_for_token(self) -> None:
        delay = self.bucket.delay()
        if delay:
            time.sleep(delay)

    def send_batch(self, entries: list[Entry]) -> bool:
        try:
            response = self._post(self.client.BATCH_PATH, '{"batch":[' + ",".join(e.text for e in entries) + "]}")
        except urllib3.exceptions.HTTPError as error:
            return self._retry(entries, f"{type(error).__name__}: {error}", None)
        status = response.status
        if status == 207:
            errors = _batch_errors(response.data)
            failed = {index for index in errors if 0 <= index < len(entries)}
            self._delivered([e for i, e in enumerate(entries) if i not in failed])
            self._dead([entries[i] for i in sorted(failed)], {entries[i].key: errors[i] for i in failed})
            return True
        if 200 <= status < 300:
            self._delivered(entries)
            return True
        return self._failed(entries, status, response, self.send_batch)

    def send_single(self, entry: Entry) -> bool:
        try:
            v1 = entry.op["v1"]
            response = self._post(v1["path"], json.dumps(v1["body"], separators=(",", ":"), ensure_ascii=False))
        except urllib3.exceptions.HTTPError as error:
            return self._retry([entry], f"{type(error).__name__}: {error}", None)
        if 200 <= response.status < 300:
            self._delivered([entry])
            return True
        return self._failed([entry], response.status, response)

    def _failed(self, entries, status, response, resend=None) -> bool:
        """Settle a non-2xx answer; `resend` sends a part again when a batch is split (batches only)."""
        text = response.data[:300].decode("utf-8", "replace")
        if status in RETRYABLE:
            hold = parse_retry_after(response.headers.get("Retry-After"), self.settings.max_backoff)
            return self._retry(entries, f"HTTP {status}: {text}", hold, server_fault=status >= 500 or status == 408)
        if status in SPLITTABLE and len(entries) > 1 and resend is not None:
            middle = len(entries) // 2
            log.warning("flake8-cio runtime: HTTP %s for a batch of %d, splitting it", status, len(entries))
            first = resend(entries[:middle])
            return resend(entries[middle:]) and first
        if status in AUTH:
            self.last_error = f"HTTP {status}: credentials rejected; sending paused, events kept in the spool"
            log.error("flake8-cio runtime: %s", self.last_error)
            self.spool.release([e.key for e in entries])
            self.breaker.failure(hold=self.settings.breaker_cooldown * 4)
            return False
        self._dead(entries, {e.key: f"HTTP {status}: {text}" for e in entries})
        return True

    def _retry(self, entries, reason: str, hold: float | None, server_fault: bool = True) -> bool:
        """Keep the entries at the head of the spool and wait: Retry-After when given, else backoff."""
        self.spool.release([e.key for e in entries])
        self.counters.add("retried", len(entries))
        self.last_error = reason
        self.attempt += 1
        wait = hold if hold is not None else backoff(self.attempt, cap=self.settings.max_backoff)
        self.retry_at = time.monotonic() + wait
        if server_fault:
            self.breaker.failure()
        log.warning("flake8-cio runtime: delivery failed (%s); %d events kept, retry in %.2fs",
                    reason, len(entries), wait)
        return False

    def _delivered(self, entries) -> None:
        if not entries:
            return
        self.spool.ack([e.key for e in entries])
        self.counters.add("sent", len(entries))
        replayed = sum(1 for e in entries if e.foreign)
        if replayed:
            self.counters.add("replayed", replayed)
        self.attempt = 0
        self.retry_at = 0.0
        self.breaker.success()

    def _dead(self, entries, reasons: dict) -> None:
        if not entries:
            return
        for entry in entries:
            log.error("flake8-cio runtime: Customer.io rejected an operation for good (%s): %s",
                      reasons.get(entry.key), _describe(entry.op))
        self.spool.dead(entries, "; ".join(sorted(set(map(str, reasons.values())))))
        self.counters.add("failed", len(entries))
        self.client._report_error(reasons, [e.op for e in entries])

    def _breaker_changed(self, previous: str, state: str) -> None:
        log.warning("flake8-cio runtime: circuit breaker %s -> %s", previous, state,
                    extra={"cio_circuit_from": previous, "cio_circuit_to": state})

    # -- control -------------------------------------------------------------------------------------------------
    def stop(self, timeout: float) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout)
        self.http.clear()


def _batch_errors(data: bytes) -> dict[int, str]:
    try:
        errors = json.loads(data or b"{}").get("errors", [])
        return {int(e["batch_index"]): f"{e.get('reason', '')} {e.get('field', '')} {e.get('message', '')}".strip()
                for e in errors if "batch_index" in e}
    except (ValueError, TypeError, AttributeError, KeyError):
        return {}


def _describe(op: dict) -> str:
    """An operation without its attribute values (they may be personal data)."""
    if "v1" in op:
        return f"v1 {op['v1']['path']}"
    return f"{op.get('type')}/{op.get('action')} {op.get('name', '')}".strip()
