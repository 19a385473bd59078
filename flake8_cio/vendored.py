"""Vendored copies of the ``customerio`` SDK in a project, recognised by content: which folders are a copy, and
which modules in them are the SDK's own (never reported, never summarised) rather than the project's additions.
Nothing here imports or executes project code."""
from __future__ import annotations

import ast
import os
import sys
from functools import lru_cache
from pathlib import Path

from . import sdk

MAX_DEPTH = 6  # how far below the project root vendored copies are looked for
SKIPPED_DIRS = {"node_modules", "site-packages", "build", "dist", "venv", "__pycache__"}
TRACK_HOSTS = ("track.customer.io", "track-eu.customer.io")


def read_text(path: Path) -> str | None:
    """A file's text, None when it cannot be read as UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def parse_file(path: Path) -> ast.Module | None:
    """A file's syntax tree, None when it cannot be read or parsed."""
    text = read_text(path)
    try:
        return ast.parse(text) if text is not None else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def forget() -> None:
    """Drop what this process found of vendored copies (files changed; benchmarks)."""
    _vendored_sdk_dirs.cache_clear()


def vendored_sdk_dirs(root: Path) -> list[Path]:
    """Folders under ``root`` (resolved, at most ``MAX_DEPTH`` deep) that are a copy of the ``customerio`` SDK,
    e.g. ``vendor/customerio``, not the project's own package of that name."""
    return list(_vendored_sdk_dirs(os.path.realpath(root)))


NESTED_PROJECT_MARKERS = {"pyproject.toml", "setup.py", "setup.cfg"}


@lru_cache(maxsize=32)
def _vendored_sdk_dirs(root: str) -> tuple[Path, ...]:
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()

    def visit(folder: str, depth: int) -> None:
        try:
            stat = os.stat(folder)
            if (stat.st_dev, stat.st_ino) in seen:
                return  # reached again through a symlink
            seen.add((stat.st_dev, stat.st_ino))
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            return
        if any(entry.name == "pyvenv.cfg" for entry in entries):
            return  # a virtualenv
        nested = depth and any(entry.name in NESTED_PROJECT_MARKERS for entry in entries)
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if not is_dir or entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
                continue
            real = Path(os.path.realpath(entry.path)) if entry.name == "customerio" else None
            if real in found:
                continue  # another link to a copy already found
            if real and _is_sdk_copy(real):
                found.append(real)
            elif depth + 1 < MAX_DEPTH and not nested:
                # a project of its own (a sub-project, a fixture) is not searched: its copies are its own, unless
                # it is a checkout of the SDK itself (its `customerio/` found just above)
                visit(entry.path, depth + 1)

    visit(root, 0)
    return tuple(found)


def sdk_methods(tree: ast.Module | None) -> dict[str, ast.FunctionDef]:
    """The plain (not async) methods of a module-level ``class CustomerIO``."""
    for node in tree.body if tree else ():
        if isinstance(node, ast.ClassDef) and node.name == "CustomerIO":
            return {item.name: item for item in node.body if isinstance(item, ast.FunctionDef)}
    return {}


def _is_sdk_copy(folder: Path) -> bool:
    """The SDK, not a project's own ``customerio`` package: a package whose modules define ``class CustomerIO`` with
    synchronous ``identify`` and ``track`` (a project's wrapper is usually async) and name the Track API host
    (``regions.py`` in 2.x and 3.x, the class module in older releases)."""
    if not (folder / "__init__.py").is_file():
        return False
    has_class = has_host = False
    for module in sorted(folder.glob("*.py")):
        text = read_text(module) or ""
        has_host = has_host or any(host in text for host in TRACK_HOSTS)
        if not has_class:
            try:
                has_class = {"identify", "track"} <= sdk_methods(ast.parse(text)).keys()
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
    return has_class and has_host


def is_vendored_sdk_file(path: Path, root: Path) -> bool:
    """Whether ``path`` is one of the SDK's own modules in a vendored copy under ``root`` (see ``is_sdk_module``)
    or that copy's tests: ``tests/`` inside it, or beside it when the folder holding both has no code of its own
    (a vendored checkout of the SDK's repository). A module the project keeps in the copy's folder is its own."""
    real = Path(os.path.realpath(path))
    copy = vendored_copy_of(real, root)
    if copy is not None:
        return "tests" in real.relative_to(copy).parts or is_sdk_module(real)
    return any(real.is_relative_to(copy.parent / "tests") and _holds_only(copy.parent, copy)
               for copy in vendored_sdk_dirs(root))


def vendored_copy_of(path: Path, root: Path) -> Path | None:
    """The vendored SDK copy under ``root`` whose folder holds ``path``, if any."""
    real = Path(os.path.realpath(path))
    return next((copy for copy in vendored_sdk_dirs(root) if real.is_relative_to(copy)), None)


VERSION_MODULES = ("__version__.py", "version.py", "_version.py")
SDK_DEPENDENCIES = frozenset({"customerio", "requests", "urllib3", "six", "dateutil", "backoff", "monotonic"})


def is_sdk_module(path: Path) -> bool:
    """The SDK's own code, by content: a version module, a module defining one of the SDK's classes, or one that
    defines nothing and imports only the SDK, its dependencies and the standard library (``__init__``,
    ``constants``). A module defining public functions of its own (a factory added to the copy) or importing
    anything else (the project's models, Django settings) is the project's."""
    if path.name in VERSION_MODULES:
        return True
    tree = parse_file(path)
    if tree is None:
        return True  # nothing to report in it either way
    own_code = any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_")
                   for node in tree.body)
    defines_sdk = any(isinstance(node, ast.ClassDef) and node.name in sdk.SDK_CLASSES for node in tree.body)
    return not own_code and (defines_sdk or all(map(_sdk_import, tree.body)))


def _sdk_import(node: ast.stmt) -> bool:
    """Not an import, or one of a relative module, the SDK, its dependencies or the standard library."""
    if isinstance(node, ast.Import):
        return all(_sdk_dependency(alias.name) for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or _sdk_dependency(node.module or "")
    return not isinstance(node, ast.ClassDef)


def _sdk_dependency(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in SDK_DEPENDENCIES or parts[0] in sys.stdlib_module_names or "customerio" in parts


def _holds_only(folder: Path, copy: Path) -> bool:
    """No Python of ``folder``'s own beside ``copy``: not a package, no other package, no module but setup.py."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError:
        return False
    for entry in entries:
        if entry.name.endswith(".py") and entry.name not in ("setup.py", "conftest.py"):
            return False  # __init__.py or a module of its own
        if entry.name not in (copy.name, "tests") and os.path.isfile(os.path.join(entry.path, "__init__.py")):
            return False
    return True
