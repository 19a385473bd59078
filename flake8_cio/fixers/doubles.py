"""What a project's tests put in place of the ``customerio`` SDK, read (never run) from its test files.

A fix that moves calls to ``flake8_cio.runtime`` keeps a test suite passing only where its doubles still see those
calls, and the runtime client sends Track v2 batches with urllib3, from its own thread:
- doubles of the SDK's HTTP (``send_request`` patched on the class or a client, ``requests`` patched, or an HTTP
  mocking library: responses, requests-mock, httpretty, vcrpy and pytest-recording, betamax, pook,
  pytest-httpserver) see none of it, and the calls reach Customer.io for real;
- doubles of the SDK's class or constructor (``mock.patch("customerio.CustomerIO.suppress")``,
  ``patch.object(CustomerIO, "track")``, ``mock.patch("app.views.CustomerIO")``) still see ``nonblocking(client)``
  calls (the runtime calls the client's own method), but not the calls of a client ``get_client()`` built.
"""
from __future__ import annotations

import ast
import fnmatch
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .dependencies import project_root
from .sources import DEFAULT_EXCLUDES

HTTP_LIBRARIES = frozenset({"responses", "requests_mock", "httpretty", "vcr", "pytest_recording", "betamax", "pook",
                            "pytest_httpserver"})
HTTP_FIXTURES = frozenset({"requests_mock", "httpserver", "vcr", "vcr_cassette", "httpretty"})  # pytest plugins'
HTTP_MARKS = frozenset({"pytest.mark.vcr", "pytest.mark.default_cassette"})  # pytest-recording, pytest-vcr
HTTP_MODULES = frozenset({"requests", "urllib3"})  # the SDK's transport
SDK_CLIENTS = frozenset({"CustomerIO", "APIClient"})
PATCHERS = frozenset({"patch", "setattr"})  # mock.patch("a.b"), mocker.patch, monkeypatch.setattr("a.b", ...)
OBJECT_PATCHERS = frozenset({"object", "setattr"})  # patch.object(x, "a"), monkeypatch.setattr(x, "a", ...)
HINTS = (b"customerio", b"CustomerIO", b"APIClient", b"send_request", b"requests.", b"urllib3", *(
    name.encode() for name in HTTP_LIBRARIES | HTTP_FIXTURES | {"vcr", "cassette"}))  # a file without any: no parse


@dataclass(frozen=True)
class Doubles:
    """The first double of each kind found in a project's tests, as ``path:line: what``; "" for none."""

    http: str = ""
    client_class: str = ""


def test_doubles(path: str) -> Doubles:
    """The doubles in the tests of the project a file belongs to (its dependency files' folder)."""
    return _doubles(project_root(path))


def forget_doubles() -> None:
    _doubles.cache_clear()


@lru_cache(maxsize=16)
def _doubles(root: Path) -> Doubles:
    found: dict[str, str] = {}
    for path in _test_files(root):
        for kind, line, what in _file_doubles(path):
            found.setdefault(kind, f"{path.relative_to(root).as_posix()}:{line}: {what}")
        if len(found) == 2:
            break
    return Doubles(found.get("http", ""), found.get("client_class", ""))


def _test_files(root: Path):
    """``test_*.py``, ``*_test.py``, ``conftest.py`` and modules in ``tests``/``test`` folders, outside
    environments and build output."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not any(fnmatch.fnmatch(d, p) for p in DEFAULT_EXCLUDES))
        in_tests = bool({"tests", "test"} & set(Path(folder).relative_to(root).parts))
        for name in sorted(names):
            if name.endswith(".py") and (in_tests or name.startswith("test_") or name.endswith("_test.py") or
                                         name == "conftest.py"):
                yield Path(folder, name)


def _file_doubles(path: Path) -> list[tuple[str, int, str]]:
    """(kind, line, what) of each double a test module sets up; nothing for one that does not read or parse."""
    try:
        data = path.read_bytes()
        if not any(hint in data for hint in HINTS):
            return []
        tree = ast.parse(data)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    names = _imported_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [("http", node.lineno, module) for module in modules if module.split(".")[0] in HTTP_LIBRARIES]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found += [("http", node.lineno, f"the {a.arg} fixture") for a in node.args.args if a.arg in HTTP_FIXTURES]
        elif isinstance(node, ast.Attribute) and _dotted(node, names) in HTTP_MARKS:
            found.append(("http", node.lineno, _dotted(node, names)))
        elif isinstance(node, ast.Call):
            found += [(kind, node.lineno, f"a patch of {target}") for target in _patched(node, names)
                      for kind in [_kind(target)] if kind]
    return sorted(found, key=lambda item: item[1])


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Local name -> what it imports (``from customerio import CustomerIO as C``: ``C`` -> customerio.CustomerIO)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:  # import a.b binds a; import a.b as c binds c to a.b
                top = alias.name.split(".")[0]
                names[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr, names: dict[str, str]) -> str | None:
    """``a.b.c`` with its first name read through the module's imports; None for anything but names."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([names.get(node.id, node.id), *reversed(parts)])


def _patched(call: ast.Call, names: dict[str, str]) -> list[str]:
    """What a patch call replaces, as a dotted name: ``patch("a.b")``, ``patch.object(obj, "b")``,
    ``monkeypatch.setattr(obj, "b", v)``, ``patch.multiple("a", b=...)`` (an object not read: ``?``)."""
    func, args = call.func, call.args
    how = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    text = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in args[:2]]
    if how in PATCHERS and text and text[0] is not None:
        return [text[0]]
    if how in OBJECT_PATCHERS and len(text) == 2 and text[1] is not None:
        return [f"{_dotted(args[0], names) or '?'}.{text[1]}"]
    if how == "multiple" and text and text[0] is not None:
        return [f"{text[0]}.{k.arg}" for k in call.keywords if k.arg]
    return []


def _kind(target: str) -> str | None:
    """Which double a patched name makes: "http" for the SDK's transport, "client_class" for its client class or a
    module's name for it, None for anything else (a client instance, which both runtime fixes keep calling)."""
    parts = target.split(".")
    sdk = bool(SDK_CLIENTS & set(parts)) or parts[0] == "customerio"
    if parts[0] in HTTP_MODULES or "send_request" in parts[1:] or (sdk and HTTP_MODULES & set(parts)):
        return "http"  # requests itself, the SDK's send_request (on the class or a client), the SDK's requests
    if sdk:
        return "client_class"
    return None
