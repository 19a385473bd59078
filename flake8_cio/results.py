"""Findings of files already checked, kept on disk per state of the project, so that a flake8 run over a tree
nobody changed reads them back instead of checking again (ruff's cache; here the dependency is the whole project,
because a module's findings may depend on any module of it). Imports nothing of ours.

Layout: a folder per project root; in it, one append-only journal per process, named by the project's stamp and
the process id (``<stamp>-<pid>.jsonl``), one line per checked file: its path, its text's digest and its findings
as rows of plain values. A process reads every journal of the current stamp once and deletes the others (states
of the project that are gone). Appending a line needs no lock and no rename, so flake8's ``-j`` workers each
write their own journal; a line cut short by a killed process is skipped when read.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Sequence

Row = Sequence[Any]  # (line, col, "CODE message"): what flake8 reports of a finding


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Results:
    """One project state's findings by file: ``get`` what a file with this text had, ``put`` what it has."""

    def __init__(self, folder: Path | None, stamp: str):
        self.folder = folder
        self.stamp = stamp
        self._known: dict[str, tuple[str, list[Row]]] | None = None
        self._journal: Any = None
        self._pid = 0

    def get(self, filename: str, text_digest: str) -> list[Row] | None:
        known = self._load().get(filename)
        return known[1] if known is not None and known[0] == text_digest else None

    def put(self, filename: str, text_digest: str, rows: list[Row]) -> None:
        self._load()[filename] = (text_digest, rows)
        if self.folder is None:
            return
        try:
            if self._pid != os.getpid():  # never write through a journal a parent process opened before forking
                self.folder.mkdir(parents=True, exist_ok=True)
                self._journal = open(self.folder / f"{self.stamp}-{os.getpid()}.jsonl", "a", encoding="utf-8")
                self._pid = os.getpid()
            self._journal.write(json.dumps([filename, text_digest, rows]) + "\n")
            self._journal.flush()
        except OSError:
            self.folder = None  # unwritable: run without keeping results

    def _load(self) -> dict[str, tuple[str, list[Row]]]:
        if self._known is None:
            self._known = {}
            for path in self._journals():
                self._read(path)
        return self._known

    def _journals(self) -> list[Path]:
        """This state's journals; the other states' are deleted (a later edit never brings a state back whole)."""
        try:
            names = os.listdir(self.folder) if self.folder is not None else []
        except OSError:
            return []
        for name in names:
            if not name.startswith(f"{self.stamp}-"):
                try:
                    os.unlink(self.folder / name)
                except OSError:
                    pass
        return [self.folder / name for name in names if name.startswith(f"{self.stamp}-")]

    def _read(self, path: Path) -> None:
        try:
            lines = path.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return
        for entry in _entries(lines):
            if isinstance(entry, list) and len(entry) == 3:
                filename, text_digest, rows = entry
                if isinstance(filename, str) and isinstance(text_digest, str) and isinstance(rows, list):
                    self._known[filename] = (text_digest, rows)


def _entries(lines: list[str]) -> list[Any]:
    """A journal's lines as JSON values, in one parse (a parse per line was three times dearer); line by line only
    when that fails, skipping a line cut short by a killed process (always a journal's last) or not ours."""
    try:
        return json.loads(f"[{','.join(lines)}]")  # type: ignore[no-any-return]
    except ValueError:
        pass
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries
