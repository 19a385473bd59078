"""Where accepted events wait until Customer.io has them: in memory, in SQLite (WAL), or in a Redis stream.

Every event is journaled here before it is sent and removed only after a 2xx (at-least-once). Operations travel
as the JSON text encoded at the call. The three spools implement one interface, `Spool`, and one contract test
(tests/runtime/test_core_spool.py) runs against all three. The client and its worker see only a `FallbackSpool`:
the durable one with a memory spool behind it, which never raises (a failing store is retried, see there).
"""
from __future__ import annotations

import heapq
import itertools
import json
import logging
import math
import os
import socket
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional, Protocol, Sequence, Set, Tuple

log = logging.getLogger("flake8_cio.runtime")
#: a journal file's name, the offset the spool has read it to, and the offset after the entries of a put
Mark = Tuple[str, int, int]


@dataclass(order=True, slots=True)
class Entry:
    key: Any
    text: str = field(compare=False)  # the operation's JSON
    size: int = field(compare=False)  # bytes of the JSON
    foreign: bool = field(default=False, compare=False)  # journaled by another process (a replay)

    @property
    def op(self) -> Dict[str, Any]:
        return json.loads(self.text)  # type: ignore[no-any-return]


class Spool(Protocol):
    """What the worker needs from a spool. `claim` leases entries from the head (in journal order) to this
    process; a leased entry is ack'ed (delivered), released (sent again later: at once, or after `delay` seconds
    while younger entries go first) or made dead (dead-lettered with its reason)."""

    durable: bool

    def put(self, texts: Sequence[str], mark: Optional[Mark] = None) -> int: ...  # how many were stored
    def claim(self, max_items: int, max_bytes: int) -> List[Entry]: ...
    def ack(self, keys: Iterable[Any]) -> None: ...
    def release(self, keys: Iterable[Any], delay: float = 0.0) -> None: ...  # delay 0: also ends a delay
    def dead(self, entries: Sequence[Entry], reason: str) -> None: ...
    def depth(self) -> int: ...
    def pending(self) -> int: ...  # entries this process journaled and that are not settled yet
    def fill(self) -> float: ...  # fraction of the size cap in use (0 when uncapped)
    def close(self) -> None: ...


class Store(Spool, Protocol):
    """A durable spool (SQLite, Redis): after a failure, `reconnect()` makes it usable again or raises. A put with
    a journal mark (name, start, end) records that the journal is read up to `end`, in the same transaction, only
    if the record says `start` (else it stores nothing and returns -1): each line goes in once. SQLite also lends
    (`SQLiteSpool.lend`: the send thread sends lines straight from the journal); a store without `lend` never
    does (Redis: its stream is shared by many hosts, and a loan there is left for later)."""

    def reconnect(self) -> None: ...
    def journal_offset(self, name: str) -> int: ...
    def forget_journal(self, name: str) -> None: ...


@dataclass
class Limits:
    """Caps that keep a long outage from filling the disk, and how long dead letters are kept."""
    max_bytes: int = 512 * 2**20
    max_age: float = 7 * 86400.0
    overflow: str = "drop_oldest"  # or "drop_new"
    dead_max_bytes: int = 10 * 2**20
    dead_max_age: float = 7 * 86400.0
    on_overflow: Callable[[int], None] = lambda count: None
    lease: float = 120.0  # how long a claim is this process's alone before another may take it over


OVERFLOW_POLICIES = ("drop_oldest", "drop_new")
OPEN_RETRY = 1.0  # s between tries of a store that never opened (a lock at start), not breaker_cooldown's 30


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


def _local_pid(owner: str, host: str) -> Optional[int]:
    """The pid of an owner (host:pid:nonce) that is a process of this host, else None."""
    owner_host, _, rest = owner.partition(":")
    pid = rest.split(":")[0]
    return int(pid) if owner_host == host and pid.isdigit() else None


def _take(rows: Iterable[Entry], max_items: int, max_bytes: int) -> List[Entry]:
    """Rows from the head that fit the limits; always at least one, so a big head cannot stall the queue."""
    taken: List[Entry] = []
    total = 0
    for row in rows:
        if taken and (len(taken) >= max_items or total + row.size > max_bytes):
            break
        taken.append(row)
        total += row.size + 1
    return taken


MEMORY = "memory"  # the first part of a memory entry's key


class MemorySpool:
    """No durability (``spool="none"``, or a durable spool that failed): bounded; new entries beyond the bound
    are refused (counted as dropped by the caller). Dead letters are not kept. Keys are (MEMORY, n), so that a
    FallbackSpool tells them from its store's without wrapping each entry. Puts append in key order and claims
    take from the head, so an entry released comes before every entry never claimed: a deque of those, a heap
    of the released (O(1) per entry claimed, O(log n) for one released; a heap of all, compared by a dataclass's
    Python __lt__, cost ~12 us per event and made memory half as fast as the journal path)."""

    durable = False

    def __init__(self, limit: int = 100_000):
        self.limit = limit
        self.items: Deque[Entry] = deque()  # never claimed, oldest first
        self.returned: List[Tuple[Any, Entry]] = []  # released, a heap by key: claimed before `items`
        self.delayed: List[Tuple[float, Any, Entry]] = []  # released with a delay, a heap by when they are due
        self.claimed: Dict[Any, Entry] = {}
        self.lock = threading.Lock()
        self.serial = itertools.count(1)

    def put(self, texts: Sequence[str]) -> int:
        with self.lock:
            entries = self._new(texts)
            self.items.extend(entries)
            return len(entries)

    def lent(self, texts: Sequence[str]) -> List[Entry]:
        """A failed loan's lines that no store recorded (spool="none", or while the store fails: see
        FallbackSpool.lend): entries already claimed, which the send thread settles as any it claimed; those beyond
        the bound are refused."""
        with self.lock:
            entries = self._new(texts)
            self.claimed.update([(entry.key, entry) for entry in entries])
            return entries

    def _new(self, texts: Sequence[str]) -> List[Entry]:
        """Entries for the texts the bound leaves room for (under the lock)."""
        room = max(0, self.limit - self._count())
        serial = self.serial
        return [Entry((MEMORY, next(serial)), text, len(text)) for text in texts[:room]]

    def claim(self, max_items: int, max_bytes: int) -> List[Entry]:
        with self.lock:
            now = time.monotonic()
            while self.delayed and self.delayed[0][0] <= now:
                _, key, entry = heapq.heappop(self.delayed)
                heapq.heappush(self.returned, (key, entry))
            taken: List[Entry] = []
            total = 0
            returned, items = self.returned, self.items
            while len(taken) < max_items and (returned or items):  # _take's rule, in key order
                entry = returned[0][1] if returned else items[0]
                if taken and total + entry.size > max_bytes:
                    break
                heapq.heappop(returned) if returned else items.popleft()
                taken.append(entry)
                total += entry.size + 1
            self.claimed.update([(entry.key, entry) for entry in taken])
            return taken

    def ack(self, keys: Iterable[Any]) -> None:
        with self.lock:
            for key in keys:
                self.claimed.pop(key, None)

    def release(self, keys: Iterable[Any], delay: float = 0.0) -> None:
        with self.lock:
            keys = set(keys)
            until = time.monotonic() + delay
            if delay <= 0 and self.delayed:  # entries set aside earlier, wanted back now
                back = [(key, entry) for _, key, entry in self.delayed if key in keys]
                self.delayed = [item for item in self.delayed if item[1] not in keys]
                heapq.heapify(self.delayed)
                for item in back:
                    heapq.heappush(self.returned, item)
            for entry in [self.claimed.pop(key) for key in keys if key in self.claimed]:
                if delay > 0:
                    heapq.heappush(self.delayed, (until, entry.key, entry))
                else:
                    heapq.heappush(self.returned, (entry.key, entry))

    def dead(self, entries: Sequence[Entry], reason: str) -> None:
        self.ack([e.key for e in entries])

    def in_flight(self) -> int:
        return len(self.claimed)

    def _count(self) -> int:
        return len(self.items) + len(self.returned) + len(self.delayed) + len(self.claimed)

    def depth(self) -> int:
        with self.lock:
            return self._count()

    def pending(self) -> int:
        return self.depth()

    def fill(self) -> float:
        return self.depth() / self.limit

    def close(self) -> None:
        pass


SCHEMA = (
    "CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, size INTEGER NOT NULL,"
    " owner TEXT NOT NULL, claimed_by TEXT, lease_until REAL NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS dead (seq INTEGER PRIMARY KEY, op TEXT NOT NULL, reason TEXT, at REAL)",
    "CREATE INDEX IF NOT EXISTS spool_owner ON spool (owner)",
    "CREATE TABLE IF NOT EXISTS journals (name TEXT PRIMARY KEY, offset INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS loans (name TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,"
    " until REAL NOT NULL, PRIMARY KEY (name, start))",
)


class SQLiteSpool:
    """A file in WAL mode: survives kill -9 once committed. Several processes may share one file: a claim is a
    lease (owner, lease_until) taken under BEGIN IMMEDIATE; leases of dead local processes are freed at start.
    Created 0600 (in a 0700 folder when it makes the folder): events are personal data.

    Every SQLite call holds one process-wide lock, which a fork also takes: a child must never be born while a
    thread of its parent is inside SQLite (its mutexes would stay locked in the child forever). A write waiting for
    another process's write lock waits outside it (STEP at a time, up to BUSY_TIMEOUT), so that reads (depth,
    pending) and the other spools of the process never wait behind a foreign lock."""

    durable = True
    BUSY_TIMEOUT = 30.0  # how long a write waits for another process's write lock before it fails
    #: how long opening the file waits for another process's lock: a Pool sibling's setup takes ms, a backup or an
    #: operator's shell may take minutes. Past it the spool counts as failed and is retried in the background while
    #: events wait in the journal: a client (and the first call of get_client() or nonblocking()) never waits it out
    OPEN_PATIENCE = 0.1
    STEP = 0.02  # how long SQLite itself waits for a lock, inside the process-wide lock
    READ_PATIENCE = 1.0
    EXPIRE_EVERY = 60.0
    lock = threading.Lock()

    def __init__(self, path: "str | os.PathLike[str]", limits: Optional[Limits] = None):
        self.path = Path(path)
        self.limits = limits or Limits()
        self.owner = owner_id()
        self.expired_at = 0.0
        self._connect(self.OPEN_PATIENCE)

    def _connect(self, patience: float) -> None:
        """Open the file (0600; its folder 0700 when made here) in WAL mode with the schema: processes opening
        one file at once (a Pool's workers) must neither fail with "database is locked" nor both migrate it."""
        if not self.path.parent.exists():
            self.path.parent.mkdir(mode=0o700, parents=True)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)  # also a file an older version made 0644
        with self.lock:
            self.db = sqlite3.connect(self.path, timeout=self.STEP, isolation_level=None, check_same_thread=False)
        deadline = time.monotonic() + patience  # for both steps
        try:
            self._locked(lambda: self.db.execute("PRAGMA journal_mode=WAL"), patience)
            with self.lock:
                self.db.execute("PRAGMA synchronous=NORMAL")
            self._write(self._setup, max(0.0, deadline - time.monotonic()))
        except BaseException:
            with self.lock:
                self.db.close()
            raise

    def reconnect(self) -> None:
        """A new connection after a failure: the old one may be closed, or open on a file removed since."""
        with self.lock:
            self.db.close()
        self._connect(min(1.0, self.BUSY_TIMEOUT))  # a retry: soon known to fail again while another holds it

    def _setup(self) -> None:
        for statement in SCHEMA:
            self.db.execute(statement)
        if "at" not in {row[1] for row in self.db.execute("PRAGMA table_info(spool)")}:  # an older file
            self.db.execute("ALTER TABLE spool ADD COLUMN at REAL NOT NULL DEFAULT 0")
        self.page_size = self.db.execute("PRAGMA page_size").fetchone()[0]
        self._free_dead_leases()

    def _free_dead_leases(self) -> None:
        """Free the leases of dead local processes, and adopt what they journaled: this process's flush() waits for
        it as for its own (an owner is host:pid:nonce)."""
        host = socket.gethostname()
        self.mine = {self.owner, self.owner + "+"}  # "+": lines of another process's loan, taken over here
        for column in ("claimed_by", "owner"):
            for (owner,) in self.db.execute(f"SELECT DISTINCT {column} FROM spool WHERE {column} IS NOT NULL"):
                pid = _local_pid(owner, host)
                if pid is not None and process_alive(pid):
                    continue
                if column == "claimed_by":
                    self.db.execute("UPDATE spool SET claimed_by=NULL, lease_until=0 WHERE claimed_by=?", (owner,))
                elif owner.partition(":")[0] in (host, ""):
                    self.mine.add(owner)

    def _locked(self, work: Callable[[], Any], patience: float) -> Any:
        """`work` under the process-wide lock, tried again (outside it) while another process holds the file's
        write lock, for up to `patience` seconds."""
        deadline = time.monotonic() + patience
        while True:
            with self.lock:
                try:
                    return work()
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() >= deadline:
                        raise
            time.sleep(self.STEP)

    def _write(self, work: Callable[[], Any], patience: Optional[float] = None) -> Any:
        """One write transaction, rolled back when it fails (a full disk), so that the file stays usable."""
        def transaction() -> Any:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                result = work()
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            return result
        return self._locked(transaction, self.BUSY_TIMEOUT if patience is None else patience)

    def adopt(self, other: Path) -> int:
        """Move what another spool file holds (an older name of the same workspace) into this one; remove it.
        Processes starting at once all try: the rows leave the old file in the transaction that copies them, which
        this file's write lock serialises, so the first moves them and the others find none (or the file gone:
        ATTACH then made an empty one, removed below with the rest)."""
        def move() -> int:
            if not self.db.execute("SELECT 1 FROM old.sqlite_master WHERE name = 'spool'").fetchone():
                return 0
            moved: int = self.db.execute(
                "INSERT INTO spool (op, size, owner) SELECT op, size, owner FROM old.spool ORDER BY seq").rowcount
            self.db.execute("DELETE FROM old.spool")
            return moved

        with self.lock:
            self.db.execute("ATTACH DATABASE ? AS old", (str(other),))
        try:
            moved: int = self._write(move)
        finally:
            with self.lock:
                self.db.execute("DETACH DATABASE old")
        self._write(self._free_dead_leases)
        for suffix in ("", "-wal", "-shm"):
            Path(str(other) + suffix).unlink(missing_ok=True)
        return moved

    def put(self, texts: Sequence[str], mark: Optional[Mark] = None) -> int:
        now = time.time()
        rows = [(text, len(text), self.owner, now, None, 0.0) for text in texts]

        def insert() -> int:
            if mark is not None and not self._advance(mark):
                return -1
            return 0 if self._insert(rows, now) is None else len(rows)
        return int(self._write(insert))

    def _insert(self, rows: List[Tuple[Any, ...]], now: float) -> Optional[int]:
        """Rows (op, size, owner, at, claimed_by, lease_until) in, within a write transaction, under the caps: the
        age cap, then drop_new refuses the whole write or drop_oldest drops from the head (counted). The last
        row's key (a transaction's rows have consecutive keys); None: refused."""
        dropped = self._expire(now)
        drop_new = self.limits.overflow == "drop_new"
        last = None
        if not (drop_new and self._used() + sum(r[1] + 64 for r in rows) > self.limits.max_bytes):
            self.db.executemany("INSERT INTO spool (op, size, owner, at, claimed_by, lease_until) "
                                "VALUES (?, ?, ?, ?, ?, ?)", rows)
            last = int(self.db.execute("SELECT last_insert_rowid()").fetchone()[0])
            dropped += 0 if drop_new else self._drop_oldest()
        if dropped:
            self.limits.on_overflow(dropped)
        return last

    def _advance(self, mark: Mark) -> bool:
        name, start, end = mark
        row = self.db.execute("SELECT offset FROM journals WHERE name=?", (name,)).fetchone()
        if (row[0] if row else 0) != start:
            return False
        self.db.execute("INSERT OR REPLACE INTO journals (name, offset) VALUES (?, ?)", (name, end))
        return True

    def journal_offset(self, name: str) -> int:
        row = self._read(lambda: self.db.execute("SELECT offset FROM journals WHERE name=?", (name,)).fetchone())
        return int(row[0]) if row else 0

    def lend(self, mark: Mark) -> bool:
        """Lines of a journal (`mark`) go out straight from it, without a copy here: the record moves past them as a
        put's would (compare-and-set), and the loan is recorded until `repay`, so that a process that dies meanwhile
        leaves them to the replay (`loans`), and one that outlives the lease is taken over (`expired_loans`), as a
        claim's lease is. Whether the record was at the mark's start."""
        def record() -> bool:
            if not self._advance(mark):
                return False
            self.db.execute("INSERT OR REPLACE INTO loans (name, start, end, until) VALUES (?, ?, ?, ?)",
                            (*mark, time.time() + self.limits.lease))
            return True
        return bool(self._write(record))

    def repay(self, loan: Mark, texts: Sequence[str], claim: bool = True) -> Optional[List[int]]:
        """End a loan: delivered (no texts), or its texts come into the spool now, their keys returned; `claim`:
        leased to this process (the send thread settles them as entries it claimed), else free (a replay: counted
        as replayed once delivered, and this process's flush() waits for them). None:
        the loan was repaid already (by a replay). The caps apply as to a put (refused: no keys)."""
        now = time.time()
        owner, until = (self.owner, now + self.limits.lease) if claim else (None, 0)
        rows = [(text, len(text), self.owner if claim else self.owner + "+", now, owner, until) for text in texts]

        def settle() -> Optional[List[int]]:
            if not self.db.execute("DELETE FROM loans WHERE name=? AND start=?", loan[:2]).rowcount:
                return None
            last = self._insert(rows, now) if rows else None
            return [] if last is None else list(range(last - len(rows) + 1, last + 1))
        keys: Optional[List[int]] = self._write(settle)
        return keys

    def loans(self, name: Optional[str] = None, until: float = math.inf) -> List[Mark]:
        """The loans of a journal; without a name, those whose lease ends before `until`."""
        query = ("SELECT name, start, end FROM loans WHERE name=? ORDER BY start", (name,)) if name is not None \
            else ("SELECT name, start, end FROM loans WHERE until < ? ORDER BY name, start", (until,))
        rows = self._read(lambda: self.db.execute(*query).fetchall())
        return [(str(n), int(a), int(b)) for n, a, b in rows]

    def forget_journal(self, name: str) -> None:
        self._write(lambda: self.db.execute("DELETE FROM journals WHERE name=?", (name,)))

    def _used(self) -> int:
        pages, free = (self.db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "freelist_count"))
        return int((pages - free) * self.page_size)

    def _expire(self, now: float) -> int:
        """The age cap, applied at most once a minute."""
        if now - self.expired_at < self.EXPIRE_EVERY:
            return 0
        self.expired_at = now
        return int(self.db.execute("DELETE FROM spool WHERE at > 0 AND at < ?", (now - self.limits.max_age,)).rowcount)

    def _drop_oldest(self) -> int:
        """The size cap: drop the oldest entries (in flight too) until the file's used pages fit."""
        dropped = 0
        excess = self._used() - self.limits.max_bytes
        while excess > 0:
            victims, freed = [], 0
            for seq, size in self.db.execute("SELECT seq, size FROM spool ORDER BY seq"):
                if freed >= excess:
                    break
                victims.append((seq,))
                freed += size + 64
            if not victims:
                break
            self.db.executemany("DELETE FROM spool WHERE seq=?", victims)
            dropped += len(victims)
            excess = self._used() - self.limits.max_bytes
        return dropped

    def _read(self, query: Callable[[], Any]) -> Any:
        """A read: WAL readers wait for no writer, but recovery or a checkpoint may hold them up a moment."""
        return self._locked(query, self.READ_PATIENCE)

    def fill(self) -> float:
        return float(self._read(self._used)) / self.limits.max_bytes

    def claim(self, max_items: int, max_bytes: int) -> List[Entry]:
        now = time.time()

        def lease() -> List[Entry]:
            rows = self.db.execute(  # read lazily: _take stops at max_bytes
                "SELECT seq, op, size, owner FROM spool WHERE lease_until < ? ORDER BY seq LIMIT ?", (now, max_items))
            entries = _take((Entry(seq, text, size, owner != self.owner) for seq, text, size, owner in rows),
                            max_items, max_bytes)
            rows.close()
            if entries:  # the first unleased rows in order: exactly the unleased rows between the first and last
                self.db.execute("UPDATE spool SET claimed_by=?, lease_until=? WHERE seq BETWEEN ? AND ? AND "
                                "lease_until < ?", (self.owner, now + self.limits.lease, entries[0].key,
                                                    entries[-1].key, now))
            return entries
        entries: List[Entry] = self._write(lease)
        return entries

    def ack(self, keys: Iterable[Any]) -> None:
        keys = list(keys)

        def delete() -> None:  # one transaction; a statement per 500 keys, not per key
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                self.db.execute(f"DELETE FROM spool WHERE seq IN ({','.join('?' * len(chunk))})", chunk)
        self._write(delete)

    def release(self, keys: Iterable[Any], delay: float = 0.0) -> None:
        """At once, or keep the lease for `delay` seconds (then any process may claim the entries again)."""
        if delay > 0:
            until = time.time() + delay
            rows: List[Tuple[Any, ...]] = [(until, k) for k in keys]
            self._write(lambda: self.db.executemany("UPDATE spool SET lease_until=? WHERE seq=?", rows))
        else:
            rows = [(k,) for k in keys]
            self._write(lambda: self.db.executemany("UPDATE spool SET claimed_by=NULL, lease_until=0 WHERE seq=?",
                                                    rows))

    def dead(self, entries: Sequence[Entry], reason: str) -> None:
        """Dead letters are kept for inspection within their own caps (dead_max_age, dead_max_bytes)."""
        now = time.time()

        def bury() -> None:
            self.db.executemany("INSERT OR REPLACE INTO dead (seq, op, reason, at) VALUES (?, ?, ?, ?)",
                                [(e.key, e.text, reason, now) for e in entries])
            self.db.executemany("DELETE FROM spool WHERE seq=?", [(e.key,) for e in entries])
            self.db.execute("DELETE FROM dead WHERE at < ?", (now - self.limits.dead_max_age,))
            self.db.execute(
                "DELETE FROM dead WHERE seq IN (SELECT seq FROM (SELECT seq, SUM(LENGTH(op)) OVER"
                " (ORDER BY seq DESC) AS total FROM dead) WHERE total > ?)", (self.limits.dead_max_bytes,))
        self._write(bury)

    def depth(self) -> int:
        return int(self._read(lambda: self.db.execute("SELECT COUNT(*) FROM spool").fetchone()[0]))

    def pending(self) -> int:
        """This process's entries and those it adopted: flush() in one process of a shared file does not wait for
        the other live processes' backlog."""
        owners = list(self.mine)
        return int(self._read(lambda: self.db.execute(
            f"SELECT COUNT(*) FROM spool WHERE owner IN ({','.join('?' * len(owners))})", owners).fetchone()[0]))

    def close(self) -> None:
        """Free this spool's leases and hand its entries over as orphans (the next spool opened on the file claims
        and adopts them at once, even in this process), then close."""
        with self.lock:
            try:
                self.db.execute("UPDATE spool SET claimed_by=NULL, lease_until=0 WHERE claimed_by=?", (self.owner,))
                orphan = f"{socket.gethostname()}:closed"
                self.db.execute("UPDATE spool SET owner=? WHERE owner IN (?, ?)", (orphan, self.owner, self.owner + "+"))
            except sqlite3.Error:
                pass  # a full disk or a closed file: the leases expire or are freed at the next start
            self.db.close()


def _child_lock() -> None:
    SQLiteSpool.lock = threading.Lock()


os.register_at_fork(before=SQLiteSpool.lock.acquire, after_in_parent=lambda: SQLiteSpool.lock.release(),
                    after_in_child=_child_lock)


def process_alive(pid: int) -> bool:
    """Whether a local process runs; a zombie (exited, not yet reaped, as under a PID 1 that never reaps) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


# Lua run inside Redis, so that many processes keep one byte count and one count per owner exactly.
# KEYS: the stream, its byte count, its counts by owner, the record of puts; ARGV[1]: the consumer group.
_REMOVE_LUA = """
local function remove(ids)
  local freed, removed = 0, 0
  for _, id in ipairs(ids) do
    local entry = redis.call('XRANGE', KEYS[1], id, id)[1]
    if entry then
      local fields = {}
      for i = 1, #entry[2], 2 do fields[entry[2][i]] = entry[2][i + 1] end
      freed = freed + #fields['op'] + 64
      local owner = fields['owner'] or ''
      if redis.call('HINCRBY', KEYS[3], owner, -1) <= 0 then redis.call('HDEL', KEYS[3], owner) end
      redis.call('XDEL', KEYS[1], id)
      removed = removed + 1
    end
  end
  if #ids > 0 then redis.call('XACK', KEYS[1], ARGV[1], unpack(ids)) end
  redis.call('DECRBY', KEYS[2], freed)
  return removed
end
local function ids_of(entries)
  local ids = {}
  for _, entry in ipairs(entries) do ids[#ids + 1] = entry[1] end
  return ids
end
"""
# ARGV[2..]: the ids to remove (acknowledged, dead-lettered or dropped)
_REMOVE_SCRIPT = _REMOVE_LUA + "return remove({unpack(ARGV, 2)})"
# ARGV: group, max bytes, the newest id the age cap drops, the overflow policy, this owner, this put's token, a
# journal mark (name or '', start, end), how many tokens of earlier puts to forget, those tokens, then the texts.
# The ids a put added are recorded under its token (KEYS[4]) until a later put forgets them, so that a put whose
# answer was lost can be undone (_UNDO_SCRIPT); journal offsets are kept in KEYS[5], and the one a put moved is
# recorded under "<token>:j" so that the undo moves it back.
# Returns {stored, dropped} ({-1, 0}: the journal's record is not at `start`); like SQLite, drop_new refuses the
# whole write and drop_oldest drops from the head.
_PUT_SCRIPT = _REMOVE_LUA + """
local max_bytes, policy, owner, token = tonumber(ARGV[2]), ARGV[4], ARGV[5], ARGV[6]
local first = 11 + tonumber(ARGV[10])
for i = 11, first - 1 do redis.call('HDEL', KEYS[4], ARGV[i], ARGV[i] .. ':j') end
if redis.call('HEXISTS', KEYS[4], token) == 1 then return {0, 0} end
if ARGV[7] ~= '' then
  if tonumber(redis.call('HGET', KEYS[5], ARGV[7]) or '0') ~= tonumber(ARGV[8]) then return {-1, 0} end
  redis.call('HSET', KEYS[5], ARGV[7], ARGV[9])
  redis.call('HSET', KEYS[4], token .. ':j', ARGV[8] .. ' ' .. ARGV[7])
end
local dropped = remove(ids_of(redis.call('XRANGE', KEYS[1], '-', ARGV[3], 'COUNT', 1000)))
local incoming = 0
for i = first, #ARGV do incoming = incoming + #ARGV[i] + 64 end
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if policy == 'drop_new' and used + incoming > max_bytes then return {0, dropped} end
local added = {}
for i = first, #ARGV do added[#added + 1] = redis.call('XADD', KEYS[1], '*', 'op', ARGV[i], 'owner', owner) end
redis.call('HSET', KEYS[4], token, table.concat(added, ' '))
redis.call('INCRBY', KEYS[2], incoming)
redis.call('HINCRBY', KEYS[3], owner, #ARGV - first + 1)
used = used + incoming
while policy == 'drop_oldest' and used > max_bytes do
  local victims = {}
  for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 100)) do
    if used <= max_bytes then break end
    local op = entry[2][2]
    victims[#victims + 1] = entry[1]
    used = used - #op - 64
  end
  if #victims == 0 then break end
  dropped = dropped + remove(victims)
  used = tonumber(redis.call('GET', KEYS[2]) or '0')
end
return {#ARGV - first + 1, dropped}
"""
# ARGV[2]: the token of a put whose answer was lost. Removes what it added, or, if it has not run yet (its command
# still on its way), marks the token so that it never adds anything. Returns how many entries it removed.
_UNDO_SCRIPT = _REMOVE_LUA + """
local added = redis.call('HGET', KEYS[4], ARGV[2])
redis.call('HSET', KEYS[4], ARGV[2], '-')
local moved = redis.call('HGET', KEYS[4], ARGV[2] .. ':j')
if moved then
  local offset, name = string.match(moved, '^(%d+) (.*)$')
  redis.call('HSET', KEYS[5], name, offset)
  redis.call('HDEL', KEYS[4], ARGV[2] .. ':j')
end
local ids = {}
for id in string.gmatch(added or '', '[^ ]+') do if id ~= '-' then ids[#ids + 1] = id end end
return remove(ids)
"""
HANDOVER = "flake8-cio:handover"  # holds the entries a closing or dead consumer left, idle past the lease
SOCKET_TIMEOUT = 2.0  # a spool call that takes longer is a stalled Redis (a URL's socket_timeout= wins)


def require_redis() -> Any:
    """redis-py, or an ImportError that says how to install it."""
    try:
        import redis
    except ImportError:
        raise ImportError("spool=redis://... needs redis-py: pip install 'flake8-cio[redis]'") from None
    return redis


class RedisSpool:
    """A Redis stream with a consumer group: shared by many processes and hosts, at-least-once. A claim reads this
    consumer's own pending entries first (skipping those released with a delay), then entries idle past the lease
    (XAUTOCLAIM), then new ones; ack is XACK + XDEL. Capped like the SQLite spool, by size (bytes of JSON + 64 per
    entry, kept in `<key>:bytes`) and by age (stream ids are times), with the same overflow policies; what each
    process journaled and is not settled is counted in `<key>:owners`, so flush() waits for this process's events
    only. Dead letters are trimmed by age and count. Like SQLite's leases, what a consumer holds goes to the others
    at once when it closes or when it was a process of this host that died (the hand-over consumer, idle past the
    lease); a put that raised may have run all the same: `reconnect()` undoes it (its caller kept the events)."""

    durable = True
    DEAD_MAX_COUNT = 10_000

    def __init__(self, url: str, key: str, limits: Optional[Limits] = None):
        self.module = require_redis()
        self.limits = limits or Limits()
        self.redis: Any = self.module.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT,
                                                     socket_connect_timeout=SOCKET_TIMEOUT)
        self.key, self.dead_key, self.group = key, key + ":dead", "flake8-cio"
        self.counts = [key, key + ":bytes", key + ":owners", key + ":puts", key + ":journals"]
        self.consumer = owner_id()
        self.held: Dict[Any, float] = {}  # entry id -> monotonic time before which it is not claimed again
        self.inflight: Set[Any] = set()  # claimed and not yet settled: pending, but not to be read again
        self.lock = threading.Lock()  # guards the two lists of put tokens below
        self.doubtful: List[str] = []  # puts that raised: they may have run
        self.recorded: List[str] = []  # puts that ran: the next put forgets their record
        self._put = self.redis.register_script(_PUT_SCRIPT)
        self._remove = self.redis.register_script(_REMOVE_SCRIPT)
        self._undo = self.redis.register_script(_UNDO_SCRIPT)
        self._join()

    @property
    def lease_ms(self) -> int:
        return int(self.limits.lease * 1000)

    def _join(self) -> None:
        """Create the group (a new stream, or a Redis restarted without it) and take over what consumers of this
        host that died left pending."""
        try:
            self.redis.xgroup_create(self.key, self.group, id="0", mkstream=True)
        except self.module.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        host = socket.gethostname()
        for consumer in self.redis.xinfo_consumers(self.key, self.group):
            name = consumer["name"]
            name = name.decode() if isinstance(name, bytes) else str(name)
            pid = _local_pid(name, host)
            if pid is not None and not process_alive(pid):
                self._hand_over(name)

    def _hand_over(self, consumer: str) -> None:
        """Move a consumer's pending entries to HANDOVER, idle past the lease so that any process's next claim
        takes them (XAUTOCLAIM), and remove the consumer from the group."""
        start = "-"
        while True:
            pending = self.redis.xpending_range(self.key, self.group, start, "+", 1000, consumername=consumer)
            if not pending:
                break
            ids = [p["message_id"] for p in pending]
            self.redis.xclaim(self.key, self.group, HANDOVER, 0, ids, idle=self.lease_ms, justid=True)
            start = "(" + ids[-1].decode()
        self.redis.xgroup_delconsumer(self.key, self.group, consumer)

    def reconnect(self) -> None:
        """After a failure: undo the puts whose answer was lost (their events were kept elsewhere) and join the
        group again."""
        with self.lock:
            doubtful = list(self.doubtful)
        for token in doubtful:
            self._undo(keys=self.counts, args=[self.group, token])
            with self.lock:
                self.doubtful.remove(token)
        self._join()
        self.inflight.clear()  # what was in flight when it failed is settled by the caller, or read again
        self.held.clear()

    def put(self, texts: Sequence[str], mark: Optional[Mark] = None) -> int:
        if not texts and mark is None:
            return 0
        journal = mark or ("", 0, 0)
        newest_expired = max(0, int((time.time() - self.limits.max_age) * 1000))  # 0: none (ids start at 0-1)
        token = os.urandom(8).hex()
        with self.lock:
            forget, self.recorded = self.recorded, []
        try:
            stored, dropped = self._put(keys=self.counts, args=[
                self.group, self.limits.max_bytes, newest_expired, self.limits.overflow, self.consumer, token,
                *journal, len(forget), *forget, *texts])
        except Exception:
            with self.lock:
                self.recorded.extend(forget)
                self.doubtful.append(token)
            raise
        with self.lock:
            self.recorded.append(token)
        if dropped:
            self.limits.on_overflow(int(dropped))
        return int(stored)

    def claim(self, max_items: int, max_bytes: int) -> List[Entry]:
        now = time.monotonic()
        self.held = {key: until for key, until in self.held.items() if until > now}
        skip = self.inflight | set(self.held)
        pending = self.redis.xreadgroup(self.group, self.consumer, {self.key: "0"}, count=max_items + len(skip))
        messages = [m for m in (pending[0][1] if pending else []) if m[0] not in skip][:max_items]
        if len(messages) < max_items:
            _, stolen, *_ = self.redis.xautoclaim(self.key, self.group, self.consumer, self.lease_ms, "0-0",
                                                  count=max_items - len(messages))
            messages.extend(stolen)
        if len(messages) < max_items:
            fresh = self.redis.xreadgroup(self.group, self.consumer, {self.key: ">"}, count=max_items - len(messages))
            messages.extend(fresh[0][1] if fresh else [])
        entries = [
            Entry(msg_id, fields[b"op"].decode(), len(fields[b"op"]),
                  fields.get(b"owner", b"").decode() != self.consumer)
            for msg_id, fields in sorted(messages, key=lambda m: tuple(map(int, m[0].split(b"-"))))
            if fields
        ]
        taken = _take(entries, max_items, max_bytes)  # the rest stay pending to us and come first next time
        self.inflight.update(e.key for e in taken)
        return taken

    def ack(self, keys: Iterable[Any]) -> None:
        keys = list(keys)
        if keys:
            self._remove(keys=self.counts, args=[self.group, *keys])
            for key in keys:
                self.held.pop(key, None)
                self.inflight.discard(key)

    def release(self, keys: Iterable[Any], delay: float = 0.0) -> None:
        """Entries stay pending for this consumer and are read first by its next claim (after `delay`)."""
        keys = list(keys)
        self.inflight.difference_update(keys)
        if delay > 0:
            until = time.monotonic() + delay
            self.held.update((key, until) for key in keys)
        else:
            for key in keys:
                self.held.pop(key, None)

    def dead(self, entries: Sequence[Entry], reason: str) -> None:
        oldest = int((time.time() - self.limits.dead_max_age) * 1000)
        with self.redis.pipeline() as pipe:
            for entry in entries:
                pipe.xadd(self.dead_key, {"op": entry.text, "reason": reason}, maxlen=self.DEAD_MAX_COUNT,
                          approximate=True)
            pipe.xtrim(self.dead_key, minid=f"{oldest}-0")
            pipe.execute()
        self.ack([e.key for e in entries])

    def journal_offset(self, name: str) -> int:
        return int(self.redis.hget(self.counts[4], name) or 0)

    def forget_journal(self, name: str) -> None:
        self.redis.hdel(self.counts[4], name)

    def depth(self) -> int:
        return int(self.redis.xlen(self.key))

    def pending(self) -> int:
        return int(self.redis.hget(self.counts[2], self.consumer) or 0)

    def fill(self) -> float:
        return int(self.redis.get(self.counts[1]) or 0) / self.limits.max_bytes

    def close(self) -> None:
        """Hand this consumer's entries over (another process takes them at once, as SQLite frees its leases),
        forget the record of its puts, disconnect."""
        try:
            self._hand_over(self.consumer)
            with self.lock:
                if self.recorded:
                    self.redis.hdel(self.counts[3], *self.recorded, *(f"{t}:j" for t in self.recorded))
        finally:
            self.redis.close()



def _split(keys: Iterable[Any]) -> Tuple[List[Any], List[Any]]:
    """(keys of entries kept in memory; keys of the store's entries)."""
    kept, stored = [], []
    for key in keys:
        if isinstance(key, tuple):
            kept.append(key)
        else:
            stored.append(key)
    return kept, stored


class FallbackSpool:
    """The client's spool: a durable store (none with spool="none") with a bounded memory spool behind it, so that
    a failing store neither fails a caller nor loses what it was given. While the store fails, events are kept and
    delivered from memory; every `retry_every` seconds `maintain()` reconnects it, removes what was delivered
    meanwhile, moves what memory holds into it and switches back. Each entry settles where it came from (the keys
    of memory's are tagged). Depth, fill and pending are read by `maintain()` (the journal thread, at most every
    STATS_EVERY seconds) and served from there, so health checks never wait on a stalled store. After `close()` a
    send still in flight settles nothing: its entries stay in the store and are sent again at the next start."""

    STATS_EVERY = 0.25
    MOVE_CHUNK = 500

    def __init__(self, open_store: Optional[Callable[[], Store]], retry_every: float, label: str,
                 on_overflow: Callable[[int], None]):
        self.open_store, self.retry_every, self.label = open_store, retry_every, label
        self.on_overflow = on_overflow
        self.durable = open_store is not None
        self.memory = MemorySpool()
        self.store: Optional[Store] = None
        self.lock = threading.Lock()  # guards the failure state, `unsettled` and `unreleased`
        self.maintaining = threading.Lock()  # one maintain() at a time (the journal thread's, or close()'s)
        self.error: Optional[str] = None
        self.memory_since: Optional[float] = None  # wall clock: since when a failed store left memory only
        self.retry_at = 0.0
        self.unsettled: List[Any] = []  # the store's entries delivered (or dead) while it failed: removed on recovery
        self.unreleased: List[Any] = []  # the store's entries released while it failed: released on recovery
        self.unmarked: Dict[str, Tuple[int, int]] = {}  # journal name -> the lines memory took while the store failed
        self.unrepaid: List[Mark] = []  # loans settled while the store failed (delivered, or their lines in memory)
        self.unrecorded: Set[Mark] = set()  # loans made while the store failed, not ended yet (see lend)
        #: a retry of the store waits for those, and for memory's entries in flight, to end (see _recover): none
        #: starts meanwhile
        self.recovering = False
        self.closed = False
        self.stats: Tuple[int, float, int] = (0, 0.0, 0)  # the store's depth, fill, and this process's pending
        self.stats_at = time.monotonic()
        if open_store is not None:
            try:
                self.store = open_store()
            except Exception as error:
                self._failed(error)
            self.refresh()

    @property
    def kind(self) -> str:
        return type(self.store).__name__ if self.store is not None and self.memory_since is None else "MemorySpool"

    def on_disk(self) -> bool:
        """Whether puts go to the durable store now (not to memory while it fails)."""
        return self.durable and self.memory_since is None and not self.closed

    def _usable(self) -> Optional[Store]:
        return self.store if self.memory_since is None and not self.closed else None

    def _failed(self, error: Exception) -> None:
        """Memory only until a retry works; logged at ERROR when it starts (after close(), a write still waiting
        then was already reported)."""
        if self.closed:
            log.debug("flake8-cio runtime: %s after close: %r", self.label, error)
            return
        opening = self.store is None  # never opened: another process's lock at start is common and short
        every = min(self.retry_every, OPEN_RETRY) if opening else self.retry_every
        with self.lock:
            self.recovering = False
            first = self.memory_since is None
            if first:
                self.memory_since = time.time()
            self.retry_at = time.monotonic() + every
            since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.memory_since))
            self.error = (f"{self.label} failed ({type(error).__name__}: {error}); events kept in memory only "
                          f"since {since}, retrying every {every:g}s")
        level = logging.WARNING if opening and "locked" in str(error) else logging.ERROR
        log.log(level if first else logging.DEBUG, "flake8-cio runtime: %s", self.error)

    def _refused(self, count: int) -> None:
        if count:
            self.on_overflow(count)
            log.error("flake8-cio runtime: spool full, %d new events dropped", count)

    def put(self, texts: Sequence[str], mark: Optional[Mark] = None) -> int:
        """How many were kept (in the store, or in memory while it fails); the others are counted as overflowed.
        -1: the store's record of the journal is not at the mark's start (another process replays it). A mark that
        went to memory with its entries is given to the store when memory moves into it (`_move`)."""
        stored = None
        store = self._usable()
        if store is not None:
            try:
                stored = store.put(texts, mark)
            except Exception as error:
                self._failed(error)
        if stored is None:
            with self.lock:  # (not across a recovery's switch back: its store would not learn of the mark)
                if self.memory_since is not None or not self.durable or self.closed:
                    stored = self.memory.put(texts)
                    if mark is not None and self.durable:
                        self._unmark(mark)
            if stored is None:  # the store works again since
                return self.put(texts, mark)
        if stored >= 0:
            self._refused(len(texts) - stored)
        return stored

    def _unmark(self, mark: Mark) -> None:
        """Journal lines taken while the store failed (into memory, or on loan): the store records that it has them
        when it works again and memory holds nothing (`_record_mark`). Under the lock."""
        start = self.unmarked.get(mark[0], mark[1:])[0]
        self.unmarked[mark[0]] = (start, mark[2])

    def journal_offset(self, name: str) -> int:
        """Where the store's record of a journal is (its store must work: replays wait for that)."""
        store = self._usable()
        if store is None:
            raise RuntimeError(f"{self.label} is not usable now")
        return store.journal_offset(name)

    def lend(self, mark: Mark) -> bool:
        """Whether the send thread may send these journal lines straight (a loan): the store recorded it (False:
        it cannot lend, or fails now: the lines go the usual way). Nothing records it without a store (spool=
        "none": the lines are in memory, as every entry is), nor while the store fails: then the store's record of
        the journal passes the loan's lines only once it has ended (`unrecorded`, `_record_mark`), so that a
        process dying meanwhile leaves them to the replay, as it leaves what memory held. Sending straight from
        the file spares memory an entry per event (claimed, acked: delivery at 0.6x the journal path's rate)."""
        if not self.durable:
            return True
        with self.lock:  # (the state _recover changes under it)
            failing = self.memory_since is not None
            if failing and not self.recovering and not self.closed:
                self.unrecorded.add(mark)
                self._unmark(mark)
                return True
        if failing:
            return False
        store = self._usable()
        if store is None or not hasattr(store, "lend"):
            return False
        try:
            return bool(store.lend(mark))
        except Exception as error:
            self._failed(error)
            return False

    def repay(self, loan: Mark, texts: Sequence[str], claim: bool = True) -> Optional[List[Entry]]:
        """End a loan (see SQLiteSpool.repay): its texts as entries (claimed ones, to be settled); None when there
        is nothing to settle here: delivered, repaid already, or the store failed (the texts then wait in memory,
        and the loan is ended when the store works again). A loan nothing recorded (see lend): a failed one's texts
        become claimed memory entries (after close(), nothing: they are counted as lost, or left in the journal)."""
        with self.lock:  # its texts are in memory before the loan ends: a recovery never sees it in neither
            unrecorded = loan in self.unrecorded
            entries = self.memory.lent(texts) if (unrecorded or not self.durable) and not self.closed else None
            self.unrecorded.discard(loan)
        if not self.durable or unrecorded:
            if entries is None:
                return None
            self._refused(len(texts) - len(entries))
            return entries or None
        if self._after_close(texts):  # the loan stays recorded: its lines are sent at the next start
            return None
        store = self._usable()
        if store is not None:
            try:
                keys = store.repay(loan, texts, claim)  # type: ignore[attr-defined]
                if keys is not None:
                    self._refused(len(texts) - len(keys))
                return None if not keys else [Entry(k, t, len(t)) for k, t in zip(keys, texts)]
            except Exception as error:
                self._failed(error)
        self._refused(len(texts) - self.memory.put(texts))
        with self.lock:
            self.unrepaid.append(loan)
        return None

    def loans(self, name: Optional[str] = None, until: float = math.inf) -> List[Mark]:
        """The outstanding loans of a journal, or of any whose lease ends before `until` (its store must work, as
        for journal_offset)."""
        loans = getattr(self._usable(), "loans", None)
        return [] if loans is None else list(loans(name, until))

    def forget_journal(self, name: str) -> None:
        store = self._usable()
        if store is not None:
            try:
                store.forget_journal(name)
            except Exception as error:
                self._failed(error)

    def claim(self, max_items: int, max_bytes: int) -> List[Entry]:
        store = self._usable()
        if store is not None:
            try:
                return store.claim(max_items, max_bytes)
            except Exception as error:
                self._failed(error)
        return [] if self.recovering else self.memory.claim(max_items, max_bytes)

    def ack(self, keys: Iterable[Any]) -> None:
        kept, stored = _split(keys)
        self.memory.ack(kept)
        self._settle(stored, lambda store: store.ack(stored))

    def dead(self, entries: Sequence[Entry], reason: str) -> None:
        kept, stored = _split(e.key for e in entries)
        self.memory.ack(kept)
        theirs = [e for e in entries if not isinstance(e.key, tuple)]
        self._settle(stored, lambda store: store.dead(theirs, reason))

    def release(self, keys: Iterable[Any], delay: float = 0.0) -> None:
        """While the store fails, its entries are released once it works again (their delay is over by then):
        left to their lease, they waited spool_lease (120 s) after the recovery."""
        kept, stored = _split(keys)
        self.memory.release(kept, delay)
        if not stored or self._after_close(stored):
            return
        store = self._usable()
        if store is not None:
            try:
                store.release(stored, delay)
                return
            except Exception as error:
                self._failed(error)
        with self.lock:
            self.unreleased.extend(stored)

    def _settle(self, keys: List[Any], work: Callable[[Store], None]) -> None:
        """Remove delivered or dead entries from the store; while it fails, remember them for the recovery (sent
        again, they would be duplicates; a dead one then leaves no dead letter)."""
        if not keys or self._after_close(keys):
            return
        store = self._usable()
        if store is not None:
            try:
                work(store)
                return
            except Exception as error:
                self._failed(error)
        with self.lock:
            self.unsettled.extend(keys)

    def _after_close(self, keys: Sequence[Any]) -> bool:
        """Whether the spool is closed; then a send that just ended says so (its events, or its loan's lines
        when `keys` is empty, are sent again at the next start)."""
        if self.closed:
            log.info("flake8-cio runtime: a send in flight at close() ended after it: its %s events stay in the "
                     "spool (or journal) and are sent at the next start (with the same ids)", len(keys) or "")
        return self.closed

    def maintain(self, now: bool = False) -> None:
        """The journal thread's turn, every tick: retry a failed store when due (`now`: at once, as close() does;
        nothing is put after it, so the store comes back without waiting for what is in flight), move what memory
        holds into a working one, refresh the figures health() serves."""
        if self.closed or not self.durable or not self.maintaining.acquire(blocking=False):
            return
        try:
            if self.memory_since is not None and (now or time.monotonic() >= self.retry_at):
                self._recover(closing=now)
            elif self.memory_since is None and (self.memory.depth() or self.unmarked or self.unrepaid):
                try:
                    self._move()
                except Exception as error:
                    self._failed(error)
            if now or time.monotonic() - self.stats_at >= self.STATS_EVERY:
                self.refresh()
        finally:
            self.maintaining.release()

    def _recover(self, closing: bool = False) -> None:
        """Reconnect the store; once nothing memory holds is in flight (its entries, or loans nothing recorded: see
        lend), move memory into it, and switch back once its record of the journal has every line memory took. Not
        before: the journal thread's next put met the record behind lines a request still held, read the file
        again from there, and sent them twice. Memory sends nothing meanwhile (`recovering`), only while the store
        works: a store still failing pauses nothing."""
        assert self.open_store is not None
        try:
            if self.store is None:
                self.store = self.open_store()
            else:
                self.store.reconnect()
        except Exception as error:
            self._failed(error)
            return
        with self.lock:
            self.recovering = True
            if not closing and (self.unrecorded or self.memory.in_flight()):
                return  # tried again next tick
        try:
            with self.lock:
                settled, self.unsettled = self.unsettled, []
                released, self.unreleased = self.unreleased, []
            try:
                if settled:
                    self.store.ack(settled)
                if released:
                    self.store.release(released)
            except BaseException:
                with self.lock:
                    self.unsettled[:0] = settled
                    self.unreleased[:0] = released
                raise
            moved = self._move()
        except Exception as error:
            self._failed(error)
            return
        with self.lock:
            if not closing and (self.unmarked or self.unrepaid):  # lines memory still holds (set aside): next tick
                return
            since, self.memory_since, self.error = self.memory_since or time.time(), None, None
            self.recovering = False
        log.warning("flake8-cio runtime: %s works again after %.0fs in memory only; %d events moved into it",
                    self.label, time.time() - since, moved)

    def _move(self) -> int:
        """Move what memory holds (and is not in flight) into the store, oldest first."""
        assert self.store is not None
        moved = 0
        while True:
            entries = self.memory.claim(self.MOVE_CHUNK, 1 << 62)
            if not entries:
                self._record_mark()
                return moved
            keys = [e.key for e in entries]
            try:
                stored = self.store.put([e.text for e in entries])
            except BaseException:
                self.memory.release(keys)
                raise
            self.memory.ack(keys)
            self._refused(len(entries) - stored)
            moved += stored

    def _record_mark(self) -> None:
        """Once memory holds nothing (not even in flight) and no loan made while the store failed is still out, the
        store records the journal lines they had."""
        assert self.store is not None
        if self.memory.depth() or self.unrecorded:
            return
        with self.lock:
            marks, loans = list(self.unmarked.items()), list(self.unrepaid)
        for loan in loans:
            self.store.repay(loan, [])  # type: ignore[attr-defined]
            with self.lock:
                self.unrepaid.remove(loan)
        for name, (start, end) in marks:
            if self.store.put([], (name, start, end)) < 0:
                log.error("flake8-cio runtime: the record of journal %s moved meanwhile", name)
            with self.lock:
                if self.unmarked.get(name) == (start, end):
                    del self.unmarked[name]

    def refresh(self) -> None:
        """Read the store's depth, fill and this process's pending for health(); a failing store keeps the last."""
        self.stats_at = time.monotonic()
        store = self._usable()
        if store is not None:
            try:
                self.stats = (store.depth(), store.fill(), store.pending())
            except Exception as error:
                self._failed(error)

    def depth(self) -> int:
        return self.memory.depth() + self.stats[0]

    def fill(self) -> float:
        return self.stats[1] if self.durable else self.memory.fill()

    def stats_age(self) -> float:
        return time.monotonic() - self.stats_at if self.durable else 0.0

    def pending(self) -> Optional[int]:
        """This process's unsettled events: memory's, and the store's read now; None when the store cannot be read
        now (flush() must not take an old figure for the truth)."""
        store = self._usable()
        if store is not None:
            try:
                self.stats = (self.stats[0], self.stats[1], store.pending())
            except Exception as error:
                self._failed(error)
                return None
        elif self.durable and self.stats[2]:
            return None
        return self.memory.pending() + self.stats[2]

    def close(self) -> None:
        """The store hands what this process holds over to the next one; a send in flight settles nothing after."""
        if self.closed:
            return
        self.refresh()
        self.closed = True
        if self.store is not None:
            try:
                self.store.close()
            except Exception as error:
                log.debug("flake8-cio runtime: closing %s: %r", self.label, error)
