"""Durable on return: callers append each accepted operation to this process's journal file, a copy into a shared
memory map of it (the page cache: no system call), so that once a call returns the kernel holds the event and no
death of the process (SIGKILL, ``os._exit``) loses it. Callers write final lines (JSON with the event id): the
file's bytes are request bodies as they are. While the spool has nothing to claim, the send thread sends the
lines straight from the file (a loan: `Intake.lendable`, `SQLiteSpool.lend`); otherwise, or once sending stalls,
the journal thread reads the file from where it left off into the spool. Either way the spool records that offset
in the same transaction (a compare-and-set), with the loan if it is one, so that each line goes out or into the
spool exactly once: by this process as it goes, or after its death by the next process that opens the spool
(`dead_journals`, `replay`, which also repays the dead process's loans). A caller's only I/O is that copy (and,
with durable="sync", a sync of its pages): it never touches the spool, so a locked SQLite file or a stalled Redis never
holds it. The file is allocated up front (FILE_BYTES: a full disk fails at the start, never as a SIGBUS in a
caller), its pages faulted in ahead of the callers, and a new one starts once the spool has read ROTATE_BYTES of
it. What the file cannot take (a full disk, an unusable folder) waits in memory and is counted ("unjournaled").
With spool="none" the file is in memory (memfd): the same path at the same cost, durable as memory is; there, and
while a durable store fails, nothing records a loan (`FallbackSpool.lend`).
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import mmap
import os
import socket
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any, Callable, Deque, List, Optional, Set, Tuple

from .policy import ulid
from .spool import Mark, process_alive

SUFFIX = ".journal"
READ_CHUNK = 4 << 20
FILE_BYTES = 32 << 20  # disk each journal reserves up front (per client and process): a burst of ~150,000 events
ROTATE_BYTES = 8 << 20  # a new file once the spool has read this much; the last ROTATE_BYTES are the "crowded" end
PREFAULT_BYTES = 4 << 20  # how far ahead of the callers the file's pages are faulted in (see Intake.prefault)
FIRST_PREFAULT_BYTES = 512 << 10  # what the call that makes a file faults in itself (see Intake.put)
#: madvise(MADV_POPULATE_WRITE) (Linux 5.14; Python names it from 3.13): page-table entries made at once, writable
POPULATE_WRITE = getattr(mmap, "MADV_POPULATE_WRITE", 23 if sys.platform == "linux" else None)
MS_SYNC = 4  # Linux's value (the only platform _LIBC is used on)
#: spool="none": the callers' file is in memory (Linux), so that memory takes events as the journal path does: one
#: C copy per call, sent straight from the file (a Python queue and an entry per event cost 37,300 instructions an
#: event against the journal path's 22,500: bench/README)
_MEMFD = getattr(os, "memfd_create", None)


def _libc() -> Optional[ctypes.CDLL]:
    """libc through ctypes, which lets go of the GIL during a call (Linux only, else None). mmap's madvise() and
    flush() hold the GIL throughout: a 16 MiB MADV_POPULATE_WRITE on another thread stalled a busy loop 17-22 ms
    (measured here; 0.2 ms through libc), so a prefault or sync on the journal or send thread stalled the callers."""
    if sys.platform != "linux":
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        for function in (libc.madvise, libc.msync):
            function.argtypes, function.restype = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int), ctypes.c_int
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()
#: mmap.write() reserves and copies in one C call under the GIL: callers append without a lock where there is one
_GIL = getattr(sys, "_is_gil_enabled", lambda: True)()
ABANDONED: Set[str] = set()  # journals of clients of this process closed before the spool had all of them


def journal_name(base: str, pid: int, nonce: str) -> str:
    return f"{base}~{socket.gethostname()}~{pid}~{nonce}{SUFFIX}"


def _owner_pid(name: str, base: str) -> Optional[int]:
    """The pid of a journal's writer when it is a process of this host, else None."""
    parts = name[len(base):-len(SUFFIX)].split("~")
    if len(parts) != 4 or parts[1] != socket.gethostname() or not parts[2].isdigit():
        return None
    return int(parts[2])


def lines(data: bytes, name: str, start: int) -> Tuple[List[str], int]:
    """The whole lines of `data`, read from journal `name` at offset `start` (what a write still in progress has
    not finished is left), with their event ids given (`identified`), and their length."""
    end = data.rfind(b"\n") + 1
    texts, offset, seed = [], start, _seed(name)
    for line in data[:end].split(b"\n")[:-1]:
        if line and b"\x00" not in line:  # a copy the death of its process cut short: its call never returned
            texts.append(identified(line.decode("utf-8", "replace"), (seed + offset) & _BITS_80))
        offset += len(line) + 1
    return texts, end


_BITS_80 = (1 << 80) - 1


def _seed(name: str) -> int:
    """80 bits of a journal's name: with a line's offset added, its event id's random part."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=10).digest(), "big")


def identified(text: str, randomness: Optional[int] = None) -> str:
    """An operation as the spool keeps it. Callers write events with their ids; a journal left by an older version
    (its writer killed before the spool read it) has lines "+", acceptance time in ms (12 hex digits), operation,
    whose ULID is made of that time and of where the line is (`randomness`): reading the line again gives the same
    id."""
    if text[0] != "+":
        return text
    return f'{text[13:-1]},"id":"{ulid(int(text[1:13], 16), randomness)}"}}'


class Intake:
    """Where calls leave operations for the journal thread: the journal file (with spool="none", a file in memory:
    lost with the process, as memory is), or memory (`queue`) for what the file could not take. `durable` is the
    fsync policy: "sync" syncs each call before it returns, "batch" the journal thread syncs each tick, "never"
    leaves it to the kernel (a dead process loses nothing either way; power loss may lose what was not synced)."""

    def __init__(self, folder: Optional[Path], base: str, durable: str, max_queue: int,
                 on_memory: Callable[[int], None], wake: Callable[[], None]):
        self.folder, self.base, self.max_queue = folder, base, max_queue
        self.durable = durable if folder is not None else "never"  # a file in memory: nothing to sync
        self.on_memory = on_memory  # called with 1 for each operation the journal could not take, 0 when dropped
        self.wake = wake  # the journal thread: when memory fills, and to prefault a new file
        self.queue: Deque[bytes] = deque()
        self.lock = threading.Lock()
        self.fd = -1
        self.map: Optional[mmap.mmap] = None
        #: the callers' step: the map's own write() (which raises ValueError once it is full or closed: then
        #: `put`), or `put` itself for memory, durable="sync" and interpreters without a GIL
        self.append: Callable[[bytes], Any] = self.put
        self.address = 0  # of the map, for _LIBC (0: not known, mmap's own methods are used)
        self.name = ""
        self.offset = 0  # how far the spool has read it
        self.synced = 0
        self.faulted = 0  # how far the file's pages are faulted in
        self.error: Optional[str] = None
        self.on_loan: Set[Mark] = set()  # lines send threads are sending straight from the file (see lendable)
        #: a file at the next call: the first, after finish(); never after a failure (nor where memory has none)
        self.reopen = folder is not None or _MEMFD is not None

    def _create(self) -> Optional[Tuple[int, mmap.mmap, str]]:
        """A new journal file, allocated and mapped (without a folder, in memory and sparse: its pages come as
        callers fill them); None when the folder cannot take one (the error is kept, and events wait in memory
        from then on)."""
        name = journal_name(self.base, os.getpid(), os.urandom(3).hex())
        fd = -1
        try:
            if self.folder is None:
                fd = _MEMFD(name)  # type: ignore[misc]
                os.ftruncate(fd, FILE_BYTES)
            else:
                fd = os.open(self.folder / name, os.O_RDWR | os.O_CREAT, 0o600)
                allocate = getattr(os, "posix_fallocate", None)  # absent on macOS: a sparse file there
                allocate(fd, 0, FILE_BYTES) if allocate else os.ftruncate(fd, FILE_BYTES)
            return fd, mmap.mmap(fd, FILE_BYTES), name
        except OSError as error:
            if fd >= 0:
                os.close(fd)
                if self.folder is not None:
                    (self.folder / name).unlink(missing_ok=True)
            self.error, self.reopen = f"journal {name}: {error}; events kept in memory", False
            return None

    def _use(self, created: Optional[Tuple[int, mmap.mmap, str]]) -> None:
        self.fd, self.map, self.name = created or (-1, None, "")
        self.address = ctypes.addressof(ctypes.c_char.from_buffer(self.map)) if _LIBC and self.map else 0
        self.append = self.map.write if self.map is not None and _GIL and self.durable != "sync" else self.put
        self.offset = self.synced = self.faulted = 0

    @property
    def pos(self) -> int:
        """How far callers have written the current file: the map's own position, which its write() moves."""
        try:
            return self.map.tell() if self.map is not None else 0
        except ValueError:  # closed
            return 0

    def prefault(self, ahead: int = PREFAULT_BYTES) -> None:
        """Fault in the pages callers write next, `ahead` of them, without the GIL (see _libc), from a background
        thread (the first pages of a file: from the call that makes it): a caller whose copy crosses into a page not
        yet mapped pays a page fault (4-30 us of its CPU each, measured here, against 0.3 us prefaulted). A map
        closed meanwhile (rotated) fails or populates what took its place, which changes no byte. Where the kernel
        lacks MADV_POPULATE_WRITE callers fault."""
        journal, address, start = self.map, self.address, self.faulted
        end = min(FILE_BYTES, (self.pos + ahead) & -mmap.PAGESIZE)
        if journal is None or POPULATE_WRITE is None or end <= start:
            return
        try:
            if address:
                if _LIBC.madvise(address + start, end - start, POPULATE_WRITE):  # type: ignore[union-attr]
                    raise OSError(ctypes.get_errno(), "madvise")
            else:
                journal.madvise(POPULATE_WRITE, start, end - start)
        except (OSError, ValueError) as error:  # an older kernel (not again), or a map closed meanwhile (rotated)
            if journal is self.map and getattr(error, "errno", None) != errno.ENOMEM:
                self.faulted = FILE_BYTES
            return
        if journal is self.map:  # never back: the call that made the file may end its first pages after the
            self.faulted = max(self.faulted, end)  # journal thread faulted further (the thread then slept a tick)

    def put(self, data: bytes) -> None:
        """One copy of a call's operations (lines of JSON, ASCII, with their event ids) into the journal, or
        memory when it cannot take them: what `append` does, and what it cannot (the first file, a full or closed
        one, a sync per call)."""
        if self.fd >= 0 or self.reopen:  # else the queue is the plan (no file in memory here), not a detour
            created = False
            with self.lock:
                if self.fd < 0 and self.reopen:
                    self._use(self._create())
                    created = True
                    self.wake()
                start = self.pos
                try:
                    written = self.fd >= 0 and self.map.write(data)  # type: ignore[union-attr]
                except ValueError:  # full
                    written = False
                if written and self.durable == "sync":
                    self._sync(start, self.pos)
            if created:
                # the first pages now, by the call that made the file (it takes no longer: bench/README) and outside
                # the lock (the other callers' copies wait for nothing): the journal thread, woken, may wait for
                # the GIL up to the switch interval (5 ms) before it faults in the rest, and a burst of calls
                # meanwhile faulted each new page itself (5-30 us each)
                self.prefault(FIRST_PREFAULT_BYTES)
            if written:
                return
            if self.fd >= 0:  # full: the journal thread is behind (the spool is slow); it rotates when it can
                self.wake()
        for line in data.split(b"\n")[:-1]:
            if len(self.queue) >= self.max_queue:
                self.on_memory(0)
                continue
            self.queue.append(line)
            if self.folder is not None:
                self.on_memory(1)
            if len(self.queue) == self.max_queue // 4:
                self.wake()

    def _sync(self, start: int, end: int) -> None:
        """Write bytes [start, end) of the file to disk: msync of their pages only (the data and what the file
        needs to read them back, as fdatasync, without the GIL). Not fdatasync: it writes the whole file, the pages
        prefaulted ahead of the callers too, and leaves every page it wrote read-only in the map, so that each
        caller's first copy into each page faults again (every ~20th call, 4 us each, measured)."""
        fd, address = self.fd, self.address
        start &= -mmap.PAGESIZE
        try:
            if not address:
                os.fdatasync(fd)  # also the pages written through the map
            elif _LIBC.msync(address + start, end - start, MS_SYNC):  # type: ignore[union-attr]
                raise OSError(ctypes.get_errno(), "msync")
        except OSError as error:
            if fd == self.fd:  # (not a file finish() closed meanwhile)
                self.error = f"sync: {error}"

    # -- the journal thread's side --------------------------------------------------------------------------------
    def read(self) -> Tuple[List[str], Optional[Mark]]:
        """The next whole lines of the file past what the spool has, and their mark (None: nothing new)."""
        name, journal = self.name, self.map
        try:
            data = journal[self.offset:min(self.pos, self.offset + READ_CHUNK)] if name else b""  # type: ignore[index]
        except ValueError:  # finish() closed it meanwhile (close() gave up waiting for this thread)
            return [], None
        texts, end = lines(data, name, self.offset)
        return (texts, (name, self.offset, self.offset + end)) if end else ([], None)

    def consumed(self, mark: Mark) -> None:
        self.offset = mark[2]

    def lendable(self, max_bytes: int, max_items: int) -> Tuple[bytes, Optional[Mark]]:
        """What the send thread may send straight from the file (taken with the journal lock, see
        SQLiteSpool.lend): whole lines past what the spool has, within the batch limits, before the first v1
        line (one is sent alone, from the spool); their bytes, newline-separated, and their mark. Callers write
        whole, final lines (with their ids), so the body is made of the bytes as they are."""
        if not self.name or self.pos == self.offset:
            return b"", None
        data = self.map[self.offset:min(self.pos, self.offset + max_bytes)]  # type: ignore[index]
        end = data.rfind(b"\n") + 1
        v1 = data.find(b'\n{"v1"', 0, end) + 1
        end = 0 if data.startswith(b'{"v1"') else v1 or end
        if end and data.count(b"\n", 0, end) > max_items:
            end = 0
            for _ in range(max_items):
                end = data.index(b"\n", end) + 1
        return (data[:end - 1], (self.name, self.offset, self.offset + end)) if end else (b"", None)

    def unread(self) -> int:
        """Bytes of the file the spool has not read yet."""
        return self.pos - self.offset if self.name else 0

    def sync(self) -> None:
        """The "batch" policy's fsync, once per tick when something was written."""
        if self.durable == "batch" and self.fd >= 0 and self.pos != self.synced:
            start, self.synced = self.synced, self.pos
            self._sync(start, self.synced)

    def crowded(self) -> bool:
        """Callers are within ROTATE_BYTES of the file's end (past it, they wait in memory): the journal thread
        moves what the file holds into the spool, so that a new file can start."""
        return self.pos > FILE_BYTES - ROTATE_BYTES

    def rotate(self, spool: Any, slack: int = FILE_BYTES) -> None:
        """Start a new file once the spool has read ROTATE_BYTES of this one (and at most `slack` bytes are
        unread). The old one's unread rest (no caller can write to it any more) goes into the spool in one put, or
        into memory at once when the store fails then (it waited for a replay after the store's recovery, and
        flush() said True without it). A file on disk is removed once the store's record has all of it, else left
        to the replay after the recovery (or by the next process)."""
        if self.fd < 0 or self.offset < ROTATE_BYTES or self.on_loan or self.pos - self.offset > slack:
            return
        created = self._create()  # callers write on meanwhile (allocating 16 MB may take a while)
        with self.lock:
            old_fd, old_map, old_name, old_offset = self.fd, self.map, self.name, self.offset
            self._use(created)
        self.prefault()
        written = old_map.tell()  # type: ignore[union-attr]
        old_map.close()  # type: ignore[union-attr]
        try:
            written = _written(old_fd, written)
            rest = lines(os.pread(old_fd, written - old_offset, old_offset), old_name, old_offset)[0]
        finally:
            os.close(old_fd)  # a file in memory is gone
        stored = spool.put(rest, (old_name, old_offset, written))
        if self.folder is None:
            return
        if stored >= 0 and spool.on_disk():
            (self.folder / old_name).unlink(missing_ok=True)
            spool.forget_journal(old_name)
            return
        ABANDONED.add(old_name)  # replayed (and removed) once the store's record can have all of it
        if stored < 0:  # the record is not where this process left it: read the file from there (never lose)
            replay(self.folder / old_name, spool)

    def finish(self, spool: Any, reopen: bool = False) -> bool:
        """At close (or idle: `reopen` at the next call): remove the file once the spool's record says it has all
        of it, else leave it to the next client or process that opens the spool, which replays the rest (also
        when `spool` is None: its journal thread is stuck in a write). Whether the file was left."""
        with self.lock:
            written = self._close(unsent=self.folder is None)
            self.reopen = reopen and self.error is None
            name, self.name = self.name, ""
        if not name or self.folder is None:
            return False
        path = self.folder / name
        try:
            complete = spool is not None and spool.journal_offset(name) >= written and not spool.loans(name)
        except Exception:  # the store cannot say: keep the file
            complete = False
        if not complete:
            ABANDONED.add(name)
            return True
        path.unlink(missing_ok=True)
        spool.forget_journal(name)
        return False

    def close_inherited(self) -> None:
        """In a forked child: the parent's file (and its map, shared) is the parent's."""
        self._close()
        self.reopen = False

    def _close(self, unsent: bool = False) -> int:
        """Close the file; how far callers wrote it (they append without the lock: see _written). `unsent` (a file
        in memory, gone once closed): its lines not delivered yet (unread, or on loan) go into `queue`, where
        close() counts them (idle(): sent from there later)."""
        written = 0
        if self.fd >= 0:
            written = self.map.tell()  # type: ignore[union-attr]
            self.map.close()  # type: ignore[union-attr]
            self.append = self.put
            written = _written(self.fd, written)
            if unsent:
                for start, end in sorted([*(loan[1:] for loan in self.on_loan), (self.offset, written)]):
                    self.queue.extend(os.pread(self.fd, end - start, start).split(b"\n")[:-1])
                self.on_loan.clear()
            os.close(self.fd)
        self.fd = -1
        return written


def _written(fd: int, position: int) -> int:
    """Where the bytes callers wrote into a closed file end: its map's last position, and what a copy still in
    progress then put after it, up to the first zero byte (the file is allocated zeroed, and JSON has none)."""
    while position < FILE_BYTES:
        tail = os.pread(fd, 1 << 16, position)
        zero = tail.find(b"\x00")
        position += len(tail) if zero < 0 else zero
        if zero >= 0 or not tail:
            break
    return position


def replay(path: Path, spool: Any) -> int:
    """Move what a journal holds past the spool's record of it into the spool, then remove it; how many events
    were moved. A lock on the file keeps two processes from replaying one journal at once, and the spool's
    compare-and-set of the offset keeps each line from going in twice."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return 0
    moved = 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return 0  # another process replays it
        if os.fstat(fd).st_nlink == 0:
            return 0  # replayed and removed meanwhile
        offset = spool.journal_offset(path.name)
        for loan in spool.loans(path.name):  # lines its writer was sending when it died
            moved += _repay(fd, loan, spool)
        while True:
            texts, end = lines(os.pread(fd, READ_CHUNK, offset), path.name, offset)
            if not end:
                break
            stored = spool.put(texts, (path.name, offset, offset + end))
            if not spool.on_disk():  # they went to memory: the file stays until the store has them
                raise RuntimeError(f"the spool failed while replaying {path.name}")
            if stored < 0:  # the record moved on: read from there
                offset = spool.journal_offset(path.name)
                continue
            moved += stored
            offset += end
        path.unlink(missing_ok=True)
        spool.forget_journal(path.name)
        ABANDONED.discard(path.name)
        return moved
    finally:
        os.close(fd)


def take_over(folder: Path, loan: Mark, spool: Any) -> int:
    """A loan past its lease (its request hangs, or its process is stuck) goes into the spool for any process to
    send, as a claim past its lease is taken over; how many events. A journal with a loan is never removed."""
    try:
        fd = os.open(folder / loan[0], os.O_RDONLY)
    except FileNotFoundError:
        return 0
    try:
        return _repay(fd, loan, spool)
    finally:
        os.close(fd)


def _repay(fd: int, loan: Mark, spool: Any) -> int:
    texts, _ = lines(os.pread(fd, loan[2] - loan[1], loan[1]), loan[0], loan[1])
    moved = len(spool.repay(loan, texts, claim=False) or ())
    if not spool.on_disk():  # they went to memory: the file stays until the store has them
        raise RuntimeError(f"the spool failed while repaying a loan of {loan[0]}")
    return moved


def dead_journals(folder: Optional[Path], base: str) -> List[Path]:
    """The journals of this spool whose writers (processes of this host) are dead, oldest name first."""
    if folder is None:
        return []
    pattern = "".join(f"[{c}]" if c in "*?[" else c for c in base) + f"~*{SUFFIX}"
    found = []
    for path in sorted(folder.glob(pattern)):
        pid = _owner_pid(path.name, base)
        if path.name in ABANDONED or (pid is not None and pid != os.getpid() and not process_alive(pid)):
            found.append(path)
    return found
