"""The background worker: two threads per process and client. The journal thread moves what callers journaled (and
what waits in memory) into the spool every `flush_interval`, whatever the sender is doing, and replays the journals
of dead processes; the send
thread claims from the spool, sends through the transport and settles each answer: delivered, retried (backoff,
Retry-After, circuit breaker), paused (configuration errors: events kept) or dead (per item).
"""
from __future__ import annotations

import bisect
import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import urllib3

from .journal import FILE_BYTES, dead_journals, replay, take_over
from .policy import CircuitBreaker, TokenBucket, backoff
from .spool import Entry, FallbackSpool, Mark
from .transport import REDIRECTS, Transport, retry_after

log = logging.getLogger("flake8_cio.runtime")

MAX_BATCH_BYTES = 500_000  # Track API v2 /batch request limit
JOURNAL_CHUNK = 5000
LOGGED_REJECTIONS = 5  # of a batch's operations rejected for good, logged one by one; the rest as a count
FILL_WARNING = 0.8
MAX_HELD = 8  # loans set aside after isolated failures (see _send_lent); more go into the spool
ISOLATED_BACKOFF = 0.1  # s: the most an isolated failure's batch waits (jittered), as the official client's retries
PAUSE = {401: "credentials rejected", 403: "credentials rejected",
         404: "no such endpoint: check track_url", 405: "method not allowed: check track_url"}
COUNTER_NAMES = ("accepted", "sent", "retried", "failed", "dropped", "rejected", "spooled", "replayed",
                 "deduplicated", "overflowed", "unjournaled", "worker_errors")


def retryable(status: int) -> bool:
    """Every 5xx (including 520-524 from the proxy in front of the API), 408 and 429: the API or the path to it
    failed, the request may succeed later. Any other 4xx is about the request itself."""
    return status >= 500 or status in (408, 429)


def is_v1(text: str) -> bool:
    """The spool keeps Track v2 operations, or ``{"v1": {"path", "body"}}`` for a request only v1 takes (an
    anonymous event); the client writes the "v1" key first."""
    return text.startswith('{"v1"')


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
    """Outcome counts, exact across threads. `accepted`, counted on the callers' hot path, takes no lock: it is an
    itertools.count, whose step is atomic (threading numbers its threads with one), read by taking a step too."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values = dict.fromkeys(COUNTER_NAMES, 0)
        accepted = itertools.count()
        self.accept = accepted.__next__
        self.reads = 0

    def add(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.values[name] += amount

    def get(self, name: str) -> int:
        return self.values[name]

    def snapshot(self) -> Dict[str, int]:
        with self.lock:
            values = dict(self.values, accepted=self.accept() - self.reads)
            self.reads += 1
            return values


class Worker:
    """Never raises: every error is logged, counted and survived. `client` provides the counters, the intake, the
    spool (a FallbackSpool: it never raises either), `journal_place()`, `closed` and `report_error`."""

    def __init__(self, client: Any, settings: Settings, transport: Transport, batch_path: str):
        self.client = client
        self.settings = settings
        self.transport = transport
        self.batch_path = batch_path
        self.counters: Counters = client.counters
        self.breaker = CircuitBreaker(settings.retry_budget, settings.breaker_cooldown, on_change=self._breaker_changed)
        self.bucket = TokenBucket(settings.rate_limit)
        self.journal_wake = threading.Event()
        self.send_wake = threading.Event()
        self.journal_lock = threading.Lock()
        self.stopping = threading.Event()
        self.draining = False  # close(): probe at least every second until its timeout
        self.retry_at = 0.0
        self.attempt = 0
        self.max_bytes = MAX_BATCH_BYTES - 100  # lowered when the API answers 413
        self.last_error: Optional[str] = None
        self.source: FallbackSpool = self.spool
        self.fill_warned = False
        self.overflow_seen = 0
        self.set_aside: Tuple[FallbackSpool, List[Any]] = (self.source, [])  # set aside after an isolated failure
        self.aside_until = 0.0  # when what was set aside is due again
        self.held: List[Tuple[float, Mark, bytes, int]] = []  # (due, loan): set aside, still on loan
        self.replay_due = True  # journals of dead processes: at start, and after the store recovers
        self.last_active = time.monotonic()  # when callers last queued something: picks whom to idle
        self.lent_at = time.monotonic()  # when the send thread last sent straight from the journal (or started)
        self.loans_checked = 0.0
        self.threads = [threading.Thread(target=self._journal_loop, name="flake8-cio-journal", daemon=True),
                        threading.Thread(target=self._send_loop, name="flake8-cio-send", daemon=True)]
        for thread in self.threads:
            thread.start()

    @property
    def spool(self) -> FallbackSpool:
        return self.client.spool  # type: ignore[no-any-return]

    def alive(self) -> bool:
        return all(thread.is_alive() for thread in self.threads)

    # -- journaling ---------------------------------------------------------------------------------------------
    def _journal_loop(self) -> None:
        while True:
            self.client.intake.prefault()  # first: a new file's pages before the callers reach them (see prefault)
            stopping = self.stopping.is_set()
            if self._guarded(lambda: self.journal(whole=stopping or not self._lending())):
                self.spool.refresh()  # what was just journaled shows in health() at once
            if stopping:
                return
            was_memory = self.spool.memory_since is not None
            self._guarded(self.spool.maintain)
            self._guarded(self._take_over_loans)
            if self.replay_due or (was_memory and self.spool.memory_since is None):
                self.replay_due = not self._guarded(self._replay_dead)
            self._watch_fill()
            self.client.intake.sync()
            self.journal_wake.wait(self.settings.flush_interval)
            self.journal_wake.clear()

    def _lending(self) -> bool:
        """The send thread takes the file as it fills (a loan within two flush_intervals): the journal thread
        leaves the file to it, and moves it into the spool once sending stalls or the file is crowded."""
        return time.monotonic() - self.lent_at < 2 * self.settings.flush_interval and not self.client.intake.crowded()

    def journal(self, wait: float = -1, whole: bool = True) -> bool:
        """Move what waits in memory, then (`whole`) what the journal file holds past what the spool has, into the
        spool, a chunk per transaction (the file's with its mark); the lock lets a SIGTERM handler or close()
        journal too without losing a chunk in flight. Whether there was anything to move; False also when the lock
        stayed taken for `wait` seconds (a write of the journal thread's is waiting for the spool)."""
        intake = self.client.intake
        if not self.journal_lock.acquire(timeout=wait):
            return False
        try:
            moved = False
            while intake.queue:
                chunk: List[bytes] = []
                while intake.queue and len(chunk) < JOURNAL_CHUNK:
                    chunk.append(intake.queue.popleft())
                self._spooled(self.spool.put(b"\n".join(chunk).decode().split("\n")))  # one decode, not one a line
                moved = True
            while whole:
                texts, mark = intake.read()
                if mark is None:
                    break
                stored = self.spool.put(texts, mark)
                if stored < 0:  # the store's record of the journal is elsewhere: read on from it (never lose)
                    log.error("flake8-cio runtime: the spool's record of journal %s moved; reading it again from "
                              "there", mark[0])
                    mark = (mark[0], 0, self.spool.journal_offset(mark[0]))
                self._spooled(stored)
                intake.consumed(mark)
                moved = True
            if moved:
                self.last_active = time.monotonic()
            # While the send thread lends, it rotates (send_loan); here only what is left of a batch may go into
            # the spool with the old file: moving the whole unlent rest (~10 us an event, claimed and acked one by
            # one later) halved the throughput of a burst.
            intake.rotate(self.spool, FILE_BYTES if whole else MAX_BATCH_BYTES)
            return moved
        finally:
            self.journal_lock.release()

    def replaying(self) -> bool:
        """Journals of dead processes still to replay into a working store (flush() waits for them too)."""
        return self.replay_due and self.spool.on_disk()

    def _spooled(self, stored: int) -> None:
        self.counters.add("spooled", max(0, stored))
        self.send_wake.set()
        time.sleep(0)  # hand the GIL back between chunks: callers' latency depends on it

    def _replay_dead(self) -> bool:
        """Replay what dead processes journaled and their spool did not get (only into a working store: the
        store's record of each journal is what makes a replay exactly-once). Whether that is done."""
        if not self.spool.on_disk():
            return not self.spool.durable  # memory only: nothing to replay into (yet)
        for path in dead_journals(*self.client.journal_place()):
            moved = replay(path, self.spool)
            if moved:
                log.info("flake8-cio runtime: replayed %d events from %s", moved, path.name)
                self._spooled(moved)
        return True

    def _take_over_loans(self) -> None:
        """Sends straight from a journal that outlived the lease (of any process on this spool: see
        SQLiteSpool.lend) are taken over into the spool."""
        folder = self.client.journal_place()[0]
        if folder is None or time.monotonic() - self.loans_checked < 1.0:
            return
        self.loans_checked = time.monotonic()
        for loan in self.spool.loans(until=time.time()):
            moved = take_over(folder, loan, self.spool)
            log.warning("flake8-cio runtime: a send of %d events from %s outlived the spool lease: taken over",
                        moved, loan[0])
            self._spooled(moved)

    def _watch_fill(self) -> None:
        """Warn once each time the spool passes FILL_WARNING of its size cap, before overflow drops anything (the
        fill as the journal thread last read it), or when one journal write went past it at once (an overflow)."""
        overflowed = self.counters.get("overflowed")
        full = self.spool.fill() >= FILL_WARNING or overflowed > self.overflow_seen
        self.overflow_seen = overflowed
        if full and not self.fill_warned:
            log.warning("flake8-cio runtime: the spool is over %d%% of its size cap (spool_max_bytes); at the cap "
                        "the spool_overflow policy drops events", FILL_WARNING * 100)
        self.fill_warned = full

    # -- sending ------------------------------------------------------------------------------------------------
    def _send_loop(self) -> None:
        while True:
            stopping = self.stopping.is_set()
            progressed = self._guarded(self.deliver_some)
            if stopping:
                return
            if not progressed:
                self.send_wake.wait(self._sleep_for())
                self.send_wake.clear()

    def _guarded(self, step: Callable[[], bool | None]) -> bool:
        try:
            return bool(step())
        except Exception as error:  # the worker must outlive any bug or backend failure
            self.counters.add("worker_errors")
            self.last_error = f"worker: {error!r}"
            log.exception("flake8-cio runtime worker error (recovered)")
            return False

    def _cap(self) -> Optional[float]:
        return 1.0 if self.draining else None

    def _sleep_for(self) -> float:
        """Until the breaker may probe, a backoff ends or what was set aside is due; at most flush_interval."""
        now = time.monotonic()
        if self.breaker.state == "open":
            reopen = self.breaker.opened_at + min(self.breaker.cooldown, self._cap() or self.breaker.cooldown)
            return max(0.05, min(self.settings.flush_interval * 4, reopen - now))
        due = [t - now for t in (self.retry_at, self.aside_until, *(h[0] for h in self.held[:1])) if t > now]
        return max(0.005, min([self.settings.flush_interval, *due]))

    def deliver_some(self) -> bool:
        """Send one claim's worth; True when something was delivered or settled."""
        if time.monotonic() < self.retry_at or not self.breaker.allow(cap=self._cap()):
            return False
        if self.held and time.monotonic() >= self.held[0][0]:
            return self._send_lent(*self.held.pop(0)[1:])
        probing = self.breaker.state == "half-open"
        self.source = self.spool  # settle on the spool the entries came from, even if it is swapped meanwhile
        entries = self.source.claim(1 if probing else self.settings.batch_size, self.max_bytes)
        if not entries:
            return self.breaker.state == "closed" and self.send_loan()  # (an outage's pause returned above)
        singles = [e for e in entries if is_v1(e.text)]
        batch = [e for e in entries if not is_v1(e.text)] if singles else entries  # (one pass when none is v1)
        ok = self.send_batch(batch) if batch else True
        for index, entry in enumerate(singles):
            if not ok:  # what is left of this claim goes back to the spool
                self.source.release([e.key for e in singles[index:]])
                break
            ok = self.send_single(entry)
        return ok

    def _post(self, path: str, body: bytes) -> urllib3.BaseHTTPResponse:
        delay = self.bucket.delay()
        if delay:
            time.sleep(delay)
        return self.transport.post(path, body)

    def _post_batch(self, body: bytes) -> "urllib3.BaseHTTPResponse | urllib3.exceptions.HTTPError":
        try:
            return self._post(self.batch_path, body)
        except urllib3.exceptions.HTTPError as error:
            return error

    def send_loan(self) -> bool:
        """With nothing claimable in the spool, send what callers journaled since, straight from the journal file
        (see SQLiteSpool.lend): the spool gets a copy of those lines only when the request fails, to be retried or
        dead-lettered from there like any claimed batch; on a 200 it records only that the loan ended. This saves
        the spool a write, a claim and an ack per event. Waits for the rate limit first, so that the loan takes
        what arrives meanwhile too. True (go on at once) after a loan at least half full; after a smaller one the
        send thread waits for the next flush_interval (or a flush), so that what follows goes as one batch."""
        intake = self.client.intake
        time.sleep(self.bucket.wait())
        if not self.journal_lock.acquire(blocking=False):  # the journal thread is moving it into the spool now
            return False
        try:
            chunk, mark = intake.lendable(self.max_bytes - 12, self.settings.batch_size)
            if mark is None or not self.spool.lend(mark):
                return False
            intake.consumed(mark)
            intake.on_loan.add(mark)
            self.last_active = self.lent_at = time.monotonic()
        finally:
            self.journal_lock.release()
        count = chunk.count(b"\n") + 1
        self.counters.add("spooled", count)
        return self._send_lent(mark, chunk, count)

    def _send_lent(self, mark: Mark, chunk: bytes, count: int) -> bool:
        """Send a loan's lines and settle the answer. An isolated failure (see _retry) keeps the loan and sends
        the same lines again after its backoff (`held`): copying them into the spool, claiming and acking them
        there cost ~20 ms per 1,000 events, which made every 5th request failing halve the throughput."""
        intake = self.client.intake
        body = b'{"batch":[' + chunk.replace(b"\n", b",") + b"]}"
        held = False
        try:
            outcome = self._post_batch(body)
            if isinstance(outcome, urllib3.BaseHTTPResponse) and 200 <= outcome.status < 300 and \
                    outcome.status != 207:
                self._succeeded(count)
                self.spool.repay(mark, [])
                return len(chunk) >= self.max_bytes // 2 or count >= self.settings.batch_size
            if self.attempt == 0 and self.breaker.state == "closed" and len(self.held) < MAX_HELD and \
                    not self.client.closed:
                if isinstance(outcome, urllib3.exceptions.HTTPError):
                    held = self._retry([], type(outcome).__name__, None, True, (mark, chunk, count))
                elif retryable(outcome.status) and outcome.status != 429:
                    hold = retry_after(outcome.headers.get("Retry-After"), self.settings.max_backoff)
                    held = self._retry([], f"HTTP {outcome.status}", hold, True, (mark, chunk, count))
            if held:
                return True
            entries = self.spool.repay(mark, chunk.decode().split("\n"))
        finally:
            if not held:
                intake.on_loan.discard(mark)
            intake.prefault()
            if self.journal_lock.acquire(blocking=False):
                try:  # while loans take the file, the journal thread reads little of it: rotate here too, once
                    intake.rotate(self.spool, MAX_BATCH_BYTES)  # caught up (what is left goes through the spool)
                finally:
                    self.journal_lock.release()
        if entries is None:  # the store failed: they wait in memory, sent from there
            return False
        return self._settle_batch(entries, len(body), outcome)

    def send_batch(self, entries: List[Entry]) -> bool:
        body = ('{"batch":[' + ",".join([e.text for e in entries]) + "]}").encode()
        return self._settle_batch(entries, len(body), self._post_batch(body))

    def _settle_batch(self, entries: List[Entry], size: int,
                      outcome: "urllib3.BaseHTTPResponse | urllib3.exceptions.HTTPError") -> bool:
        if isinstance(outcome, urllib3.exceptions.HTTPError):
            return self._retry(entries, f"{type(outcome).__name__}", None, server_fault=True)
        response = outcome
        status = response.status
        if status == 207:
            errors = _batch_errors(response.data)
            failed = sorted(index for index in errors if 0 <= index < len(entries))
            self._delivered([e for i, e in enumerate(entries) if i not in errors])
            self._dead([entries[i] for i in failed],
                       {entries[i].key: f"{errors[i][0]} (batch index {i})" for i in failed},
                       {entries[i].key: errors[i][1] for i in failed})
            return True
        if 200 <= status < 300:
            self._delivered(entries)
            return True
        if status == 413 and len(entries) > 1:
            self.max_bytes = max(1, min(self.max_bytes, size // 2))  # learnt: later claims fit at once
        return self._failed(entries, status, response, self.send_batch)

    def send_single(self, entry: Entry) -> bool:
        v1 = entry.op["v1"]
        try:
            response = self._post(v1["path"], json.dumps(v1["body"], separators=(",", ":")).encode())
        except urllib3.exceptions.HTTPError as error:
            return self._retry([entry], f"{type(error).__name__}", None, server_fault=True)
        if 200 <= response.status < 300:
            self._delivered([entry])
            return True
        return self._failed([entry], response.status, response)

    def _failed(self, entries: List[Entry], status: int, response: urllib3.BaseHTTPResponse,
                resend: Optional[Callable[[List[Entry]], bool]] = None) -> bool:
        """Settle a non-2xx answer. Response bodies are logged at DEBUG only: they may echo personal data."""
        log.debug("flake8-cio runtime: HTTP %s: %r", status, response.data[:300])
        if retryable(status):
            hold = retry_after(response.headers.get("Retry-After"), self.settings.max_backoff)
            return self._retry(entries, f"HTTP {status}", hold, server_fault=status != 429)
        if status in PAUSE or status in REDIRECTS:
            location = response.headers.get("Location", "?")
            what = PAUSE.get(status) or f"redirected to {location!r}, which is not a Customer.io host: check track_url"
            return self._pause(entries, f"HTTP {status}: {what}")
        if len(entries) > 1 and resend is not None:  # one bad operation fails the request: bisect to find it
            middle = len(entries) // 2
            log.warning("flake8-cio runtime: HTTP %s for a batch of %d, splitting it", status, len(entries))
            first = resend(entries[:middle])
            return resend(entries[middle:]) and first
        self._dead(entries, {e.key: f"HTTP {status}" for e in entries})
        return True

    def _pause(self, entries: List[Entry], reason: str) -> bool:
        """A configuration error: keep every event and stop sending until a probe succeeds."""
        self.last_error = f"{reason}; sending paused, events kept in the spool"
        log.error("flake8-cio runtime: %s", self.last_error)
        self.source.release([e.key for e in entries])
        self.breaker.failure(hold=self.settings.breaker_cooldown * 4)
        return False

    def _retry(self, entries: List[Entry], reason: str, hold: Optional[float], server_fault: bool,
               loan: Optional[Tuple[Mark, bytes, int]] = None) -> bool:
        """An isolated failure sets the batch aside for its backoff while younger events go on (a `loan` as it is,
        see _send_lent: the caller makes sure the failure is isolated); consecutive failures (an outage) or a 429
        pause all sending instead, keeping the order. A send close() gave up on changes nothing: its events stay
        in the spool, as the spool says."""
        if self.client.closed:
            self.source.release([e.key for e in entries])
            return False
        count = len(entries) if loan is None else loan[2]
        self.counters.add("retried", count)
        self.last_error = reason
        self.attempt += 1
        isolated = self.attempt == 1 and server_fault and self.breaker.state == "closed"
        # An isolated failure's batch is resent soon: younger batches go on at the rate limit meanwhile, so a longer
        # wait would spare the API nothing (a request rate the bucket caps either way; Retry-After is `hold`).
        base = ISOLATED_BACKOFF if isolated else 0.5
        wait = hold if hold is not None else backoff(self.attempt - isolated, base, self.settings.max_backoff)
        keys = [e.key for e in entries]
        if isolated and loan is not None:
            bisect.insort(self.held, (time.monotonic() + wait, *loan))
        elif isolated:
            self.source.release(keys, delay=wait)
            self.set_aside = (self.source, keys)
            self.aside_until = time.monotonic() + wait
        else:  # an outage: what was set aside comes back to its place, so the order is kept
            self.source.release(keys)
            spool, aside = self.set_aside
            spool.release(aside)
            self.set_aside = (self.source, [])
            self.retry_at = time.monotonic() + wait
        if server_fault:
            self.breaker.failure()
        log.warning("flake8-cio runtime: delivery failed (%s); %d events kept, retry in %.2fs", reason, count, wait)
        return isolated

    def _delivered(self, entries: List[Entry]) -> None:
        if not entries:
            return
        self._succeeded(len(entries))  # before the ack: a flush() that sees the spool empty sees them
        self.source.ack([e.key for e in entries])
        replayed = sum(1 for e in entries if e.foreign)
        if replayed:
            self.counters.add("replayed", replayed)

    def _succeeded(self, count: int) -> None:
        self.counters.add("sent", count)
        self.attempt = 0
        self.retry_at = 0.0
        self.breaker.success()
        self.last_error = None  # delivering again: whatever failed (a 503, or the configuration) is over

    def _dead(self, entries: List[Entry], reasons: Dict[Any, str], messages: Optional[Dict[Any, str]] = None) -> None:
        """Dead-letter operations for good. `reasons` (status, or a 207's reason, field and batch index) are logged
        at ERROR; `messages` (the API's words about an item, which may quote its values) at DEBUG only, and go with
        the reasons to on_error and the dead letters."""
        if not entries:
            return
        full = dict(reasons)
        for entry in entries[:LOGGED_REJECTIONS]:  # one line each would flood the log (a 207 may refuse 1,000)
            log.error("flake8-cio runtime: Customer.io rejected an operation for good (%s): %s",
                      reasons.get(entry.key), _describe(entry.op))
        if len(entries) > LOGGED_REJECTIONS:
            log.error("flake8-cio runtime: and %d more operations of that batch rejected for good (not logged one "
                      "by one)", len(entries) - LOGGED_REJECTIONS)
        for entry in entries:
            message = (messages or {}).get(entry.key)
            if message:
                log.debug("flake8-cio runtime: Customer.io said of it: %s", message)
                full[entry.key] = f"{reasons[entry.key]}: {message}"
        self.counters.add("failed", len(entries))  # before they leave the spool, as in _delivered
        self.source.dead(entries, "; ".join(sorted(set(map(str, full.values())))))
        self.client.report_error(full, [e.op for e in entries])

    def _breaker_changed(self, previous: str, state: str) -> None:
        log.warning("flake8-cio runtime: circuit breaker %s -> %s", previous, state,
                    extra={"cio_circuit_from": previous, "cio_circuit_to": state})

    # -- control ------------------------------------------------------------------------------------------------
    def wake(self) -> None:
        self.journal_wake.set()
        self.send_wake.set()

    def stop(self, timeout: float) -> None:
        """Stop the threads, waiting up to `timeout` for them (a send in flight may outlive it)."""
        self.stopping.set()
        self.wake()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.transport.close()


def _batch_errors(data: bytes) -> Dict[int, Tuple[str, str]]:
    """A 207's errors by batch index: (reason and field, message)."""
    try:
        errors = json.loads(data or b"{}").get("errors", [])
        return {int(e["batch_index"]): (f"{e.get('reason', '')} {e.get('field', '')}".strip() or "rejected",
                                        str(e.get("message") or "")) for e in errors if "batch_index" in e}
    except (ValueError, TypeError, AttributeError, KeyError):
        return {}


def _describe(op: Dict[str, Any]) -> str:
    """An operation without its values or event name (they may be personal data)."""
    if "v1" in op:
        return f"v1 {op['v1']['path'].split('/customers/')[0]}"
    return f"{op.get('type')}/{op.get('action')}"
