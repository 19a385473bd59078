"""Where a project is and which state it is in: its roots, its files, a stamp of them and of the analyser, and the
cache folders. This is all a flake8 run needs to read findings back (``engine.lint``), so it imports nothing of
ours and nothing of the project model: a run over an unchanged tree never loads the model's code.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable

MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
NOT_PROJECT = {"venv", ".venv", "env", "site-packages", "node_modules", "build", "dist", ".tox", ".nox", ".git"}


@lru_cache(maxsize=1024)
def roots(folder_name: str) -> tuple[Path, Path]:
    """(the folder above the top package, the project root: the nearest folder with a marker, else the former),
    per folder: every file of a folder shares them."""
    folder = Path(os.path.realpath(folder_name))
    package_root = folder
    while (package_root / "__init__.py").is_file() and package_root.parent != package_root:
        package_root = package_root.parent
    root = next((d for d in (folder, *folder.parents) if _has_marker(d)), package_root)
    return package_root, root


@lru_cache(maxsize=4096)
def _has_marker(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in MARKERS)


@lru_cache(maxsize=1)
def analyser_version() -> str:
    """A hash of where the analyser's own code is, its sizes and times of change: a summary written by another
    release, or by an edited checkout, is never read back (a version number would be forgotten in development).
    Stamps, as CPython checks its .pyc files, not the text: reading the text was 16 M instructions of every run."""
    package = os.path.dirname(os.path.abspath(__file__))
    folders = (package, os.path.join(package, "rules"))
    return _stamped(f"{folder}{os.sep}{name}" for folder in folders for name in sorted(os.listdir(folder))
                    if name.endswith(".py"))[:16]


@lru_cache(maxsize=32)
def project_files(root: Path) -> tuple[tuple[str, str], ...]:
    """(folder, name) of every file under a project root, from one walk per root in a process: a tree of folders
    without ``__init__.py`` has hundreds of package roots, and a walk each was 295 walks of Tracardi's 1,032 files."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in NOT_PROJECT and not d.startswith(".")]
        found += [(folder, name) for name in files]
    return tuple(found)


@lru_cache(maxsize=1024)
def _names_in(folder: str) -> frozenset[str]:
    """The names of the files in a folder that the walk of its project found."""
    _, root = roots(folder)
    return _walked_folders(root).get(os.path.realpath(folder), frozenset())


@lru_cache(maxsize=32)
def _walked_folders(root: Path) -> dict[str, frozenset[str]]:
    """The names of the files the project's walk found, by folder."""
    names: dict[str, set[str]] = {}
    for folder, name in project_files(root):
        names.setdefault(folder, set()).add(name)
    return {folder: frozenset(found) for folder, found in names.items()}


@lru_cache(maxsize=32)
def stamp(root: Path, salt: str) -> str:
    """A digest of ``salt`` and every file's path, size and mtime under the root, per root and salt: with the
    analyser and the options in the salt, all a module's findings can depend on that lies in the project, besides
    its own text (which files are the SDK's, and so which client names are ours, follows from the files)."""
    return _stamped((f"{folder}{os.sep}{name}" for folder, name in project_files(root)), salt)


def _stamped(paths: Iterable[str], salt: str = "") -> str:
    """A digest of ``salt`` and each file's path, mtime and size (a file gone since is left out), hashed at once."""
    stamps = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        stamps.append((path, stat.st_mtime_ns, stat.st_size))
    return hashlib.sha256(f"{salt}\0{stamps!r}".encode("utf-8", "surrogateescape")).hexdigest()


@lru_cache(maxsize=1024)
def place(cwd: str, folder: str, salt: str) -> tuple[str, frozenset[str], str, str]:
    """A folder as flake8 names it, relative to ``cwd``: its absolute path (ending in a separator), the names of the
    files its project's walk found in it, its project's root and the stamp of the project's state with the analyser
    and ``salt`` (what the findings kept on disk are keyed by). Per folder, so that a file costs a look-up: an
    ``abspath`` and a stat per file were most of reading 2,322 files' findings back."""
    absolute = os.path.abspath(os.path.join(cwd, folder))
    _, root = roots(absolute)
    return os.path.join(absolute, ""), _names_in(absolute), str(root), stamp(root, f"{analyser_version()}\0{salt}")


def cache_folder(cache_dir: str | None, kind: str) -> Path:
    """One kind of what is cached on disk (summaries, tree scans, findings), under ``--cio-cache-dir`` or the
    user's cache folder."""
    base = cache_dir or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "flake8-cio")
    return Path(base) / kind


def results_folder(cache_dir: str | None, root: str) -> Path:
    """Where the findings of a project root's files are kept (``results``)."""
    name = hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_folder(cache_dir, "results") / name


def forget() -> None:
    for cached in (roots, _has_marker, project_files, _names_in, _walked_folders, stamp, place):
        cached.cache_clear()
