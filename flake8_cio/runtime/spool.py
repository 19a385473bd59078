"""Where accepted events wait until Customer.io has them: in memory, in SQLite (WAL), or in a Redis stream.

Every event is journaled here by the worker before it is sent and removed only after a 2xx (at-least-once).
Operations travel as the JSON text the caller encoded once. All three spools share one small interface, so the
worker does not know which it has: ``put(texts)``, ``claim(max_items, max_bytes) -> [Entry]``, ``ack(keys)``,
``release(keys)``, ``dead(entries, reason)``, ``depth()``, ``close()``.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Entry:
    key: object
    text: str  # the operation's JSON
    size: int  # bytes of the JSON
    foreign: bool = False  # journaled by another process (a replay)

    @property
    def op(self) -> dict:
        return json.loads(self.text)


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)


def encode(op: dict) -> str:
    return _ENCODER.encode(op)


def _take(rows, max_items: int, max_bytes: int) -> list:
    """Rows from the head that fit the limits; always at least one, so a big head cannot stall the queue."""
    taken, total = [], 0
    for row in rows:
        if taken and (len(taken) >= max_items or total + row.size > max_bytes):
            break
        taken.append(row)
        total += row.size + 1
    return taken


class MemorySpool:
    """No durability (``spool="none"``): bounded, the oldest are kept and new ones beyond the bound refused."""

    durable = False

    def __init__(self, limit: int = 100_000):
        self.limit = limit
        self.items: deque[Entry] = deque()
        self.claimed: dict[int, Entry] = {}
        self.lock = threading.Lock()
        self.next_key = 0

    def put(self, texts: list[str]) -> int:
        with self.lock:
            room = max(0, self.limit - len(self.items) - len(self.claimed))
            for text in texts[:room]:
                self.next_key += 1
                self.items.append(Entry(self.next_key, text, len(text)))
            return min(room, len(texts))

    def claim(self, max_items: int, max_bytes: int) -> list[Entry]:
        with self.lock:
            taken = _take(self.items, max_items, max_bytes)
            for entry in taken:
                self.items.popleft()
                self.claimed[entry.key] = entry
            return taken

    def ack(self, keys) -> None:
        with self.lock:
            for key in keys:
                self.claimed.pop(key, None)

    def release(self, keys) -> None:
        with self.lock:
            entries = [self.claimed.pop(key) for key in keys if key in self.claimed]
            self.items.extendleft(reversed(sorted(entries, key=lambda e: e.key)))

    def dead(self, entries, reason: str) -> None:
        self.ack([e.key for e in entries])

    def depth(self) -> int:
        with self.lock:
            return len(self.items) + len(self.claimed)

    def close(self) -> None:
        pass


class SQLiteSpool:
    """A file in WAL mode: survives kill -9 once committed. Several processes may share one file: a claim is a
    lease (owner, lease_until) taken under BEGIN IMMEDIATE; leases of dead local processes are freed at start.

    Every SQLite call holds one process-wide lock, which a fork also takes: a child must never be born while a
    thread of its parent is inside SQLite (its mutexes would stay locked in the child forever)."""

    durable = True
    LEASE = 120.0
    lock = threading.Lock()

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.owner = owner_id()
        with self.lock:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(
                "CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL,"
                " size INTEGER NOT NULL, owner TEXT NOT NULL, claimed_by TEXT, lease_until REAL NOT NULL DEFAULT 0);"
                "CREATE TABLE IF NOT EXISTS dead (seq INTEGER PRIMARY KEY, op TEXT NOT NULL, reason TEXT, at REAL);"
            )
            self._free_dead_leases()

    def _free_dead_leases(self) -> None:
        host = socket.gethostname()
        for (claimed_by,) in self.db.execute("SELECT DISTINCT claimed_by FROM spool WHERE claimed_by IS NOT NULL"):
            claimed_host, _, rest = claimed_by.partition(":")
            pid = int(rest.split(":")[0]) if rest.split(":")[0].isdigit() else None
            if claimed_host == host and pid is not None and not _alive(pid):
                self.db.execute("UPDATE spool SET claimed_by=NULL, lease_until=0 WHERE claimed_by=?", (claimed_by,))

    def put(self, texts: list[str]) -> int:
        rows = [(text, len(text), self.owner) for text in texts]
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT INTO spool (op, size, owner) VALUES (?, ?, ?)", rows)
            self.db.execute("COMMIT")
        return len(rows)

    def claim(self, max_items: int, max_bytes: int) -> list[Entry]:
        now = time.time()
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                rows = self.db.execute(
                    "SELECT seq, op, size, owner FROM spool WHERE lease_until < ? ORDER BY seq LIMIT ?",
                    (now, max_items),
                ).fetchall()
                entries = _take((Entry(seq, text, size, owner != self.owner) for seq, text, size, owner in rows),
                                max_items, max_bytes)
                self.db.executemany("UPDATE spool SET claimed_by=?, lease_until=? WHERE seq=?",
                                    [(self.owner, now + self.LEASE, e.key) for e in entries])
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return entries

    def ack(self, keys) -> None:
        with self.lock:
            self.db.executemany("DELETE FROM spool WHERE seq=?", [(k,) for k in keys])

    def release(self, keys) -> None:
        with self.lock:
            self.db.executemany("UPDATE spool SET claimed_by=NULL, lease_until=0 WHERE seq=?", [(k,) for k in keys])

    def dead(self, entries, reason: str) -> None:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO dead (seq, op, reason, at) VALUES (?, ?, ?, ?)",
                                [(e.key, e.text, reason, time.time()) for e in entries])
            self.db.executemany("DELETE FROM spool WHERE seq=?", [(e.key,) for e in entries])
            self.db.execute("COMMIT")

    def depth(self) -> int:
        with self.lock:
            return self.db.execute("SELECT COUNT(*) FROM spool").fetchone()[0]

    def close(self) -> None:
        with self.lock:
            self.db.close()


def _child_lock() -> None:
    SQLiteSpool.lock = threading.Lock()


os.register_at_fork(before=lambda: SQLiteSpool.lock.acquire(), after_in_parent=lambda: SQLiteSpool.lock.release(),
                    after_in_child=_child_lock)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RedisSpool:
    """A Redis stream with a consumer group: shared by many processes and hosts, at-least-once. A claim reads this
    consumer's own pending entries first, then entries idle past the lease from dead consumers (XAUTOCLAIM), then
    new ones; ack is XACK + XDEL. Never trimmed: trimming would delete undelivered events."""

    durable = True
    LEASE_MS = 120_000

    def __init__(self, url: str, key: str):
        import redis  # the optional extra: pip install flake8-cio[redis]

        self.redis = redis.Redis.from_url(url)
        self.key, self.dead_key, self.group = key, key + ":dead", "flake8-cio"
        self.consumer = owner_id()
        try:
            self.redis.xgroup_create(self.key, self.group, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def put(self, texts: list[str]) -> int:
        with self.redis.pipeline(transaction=False) as pipe:
            for text in texts:
                pipe.xadd(self.key, {"op": text, "owner": self.consumer})
            pipe.execute()
        return len(texts)

    def claim(self, max_items: int, max_bytes: int) -> list[Entry]:
        messages = []
        pending = self.redis.xreadgroup(self.group, self.consumer, {self.key: "0"}, count=max_items)
        messages.extend(pending[0][1] if pending else [])
        if len(messages) < max_items:
            _, stolen, *_ = self.redis.xautoclaim(self.key, self.group, self.consumer, self.LEASE_MS, "0-0",
                                                  count=max_items - len(messages))
            messages.extend(stolen)
        if len(messages) < max_items:
            fresh = self.redis.xreadgroup(self.group, self.consumer, {self.key: ">"}, count=max_items - len(messages))
            messages.extend(fresh[0][1] if fresh else [])
        entries = [
            Entry(msg_id, fields[b"op"].decode(), len(fields[b"op"]), fields.get(b"owner", b"").decode() != self.consumer)
            for msg_id, fields in sorted(messages, key=lambda m: tuple(map(int, m[0].split(b"-"))))
            if fields
        ]
        taken = _take(entries, max_items, max_bytes)
        self.release([e.key for e in entries[len(taken):]])
        return taken

    def ack(self, keys) -> None:
        keys = list(keys)
        if keys:
            with self.redis.pipeline() as pipe:
                pipe.xack(self.key, self.group, *keys)
                pipe.xdel(self.key, *keys)
                pipe.execute()

    def release(self, keys) -> None:
        """Entries stay pending for this consumer and are read first by its next claim."""

    def dead(self, entries, reason: str) -> None:
        for entry in entries:
            self.redis.xadd(self.dead_key, {"op": entry.text, "reason": reason})
        self.ack([e.key for e in entries])

    def depth(self) -> int:
        return self.redis.xlen(self.key)

    def close(self) -> None:
        self.redis.close()
