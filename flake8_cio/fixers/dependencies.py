"""Whether a project declares ``flake8-cio`` as a runtime dependency: a fix that makes code import
``flake8_cio.runtime`` is safe only where it does (else the fixed code fails with ImportError where it is deployed).

Read, never run: ``requirements*.txt`` and ``requirements/*.txt`` (with ``-r`` includes; files named for
development, tests, linting, docs or CI do not count), ``pyproject.toml`` (``[project] dependencies``,
``[tool.poetry.dependencies]``; extras, groups and dev dependencies do not count), ``setup.cfg`` (``[options]
install_requires``), ``setup.py`` (string literals of ``install_requires``), ``Pipfile`` (``[packages]``). Each
requirement is read with ``packaging`` (PEP 508), never a pattern."""
from __future__ import annotations

import ast
import configparser
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .. import tomlfile


PACKAGE = "flake8-cio"
ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "requirements.txt", "requirements", ".git")
NOT_RUNTIME = re.compile(r"dev|test|lint|doc|ci\b|check|typ|tox|build", re.I)  # requirements-dev.txt, docs.txt


@dataclass(frozen=True)
class Declarations:
    """Whether a project declares flake8-cio as a runtime dependency, and in which files it looked."""

    root: Path
    files: tuple[str, ...]  # the runtime dependency files found, relative to root
    declared: bool  # one of them requires flake8-cio

    def advice(self) -> str:
        where = ", ".join(self.files) or "a requirements.txt or pyproject.toml"
        return f"flake8-cio is not a runtime dependency of {self.root} (add it to {where})"


def project_root(path: str) -> Path:
    """The nearest folder above the file that declares dependencies or holds the repository."""
    folder = Path(os.path.abspath(path)).parent
    return next((d for d in (folder, *folder.parents) if any((d / m).exists() for m in ROOT_MARKERS)), folder)


def declarations(path: str) -> Declarations:
    return _declarations(project_root(path))


@lru_cache(maxsize=64)
def _declarations(root: Path) -> Declarations:
    found: dict[str, list[str]] = {}
    for file in [*sorted(root.glob("requirements*.txt")), *sorted(root.glob("requirements/*.txt"))]:
        if not NOT_RUNTIME.search(file.stem):
            found[file.relative_to(root).as_posix()] = _requirements(file, set())
    readers = {"pyproject.toml": _pyproject, "setup.cfg": _setup_cfg, "setup.py": _setup_py, "Pipfile": _pipfile}
    for name, reader in readers.items():
        if (root / name).is_file():
            found[name] = reader(root / name)
    declared = any(_names(requirements) for requirements in found.values())
    return Declarations(root, tuple(found), declared)


def forget_declarations() -> None:
    _declarations.cache_clear()


def _names(requirements: list[str]) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement  # the lint extra's: imported when used
    from packaging.utils import canonicalize_name

    for text in requirements:
        try:
            if canonicalize_name(Requirement(text).name) == PACKAGE:
                return True
        except InvalidRequirement:  # a URL, an editable path, an option: not a named requirement
            continue
    return False


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _requirements(path: Path, seen: set) -> list[str]:
    """A pip requirements file's requirement lines, ``-r`` includes followed once each."""
    if path.resolve() in seen:
        return []
    seen.add(path.resolve())
    lines = []
    for line in _text(path).replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        option, _, value = line.partition(" ")
        if option in ("-r", "--requirement"):
            lines += _requirements(path.parent / value.strip(), seen)
        elif line and not line.startswith(("#", "-")):
            lines.append(line.split(" --", 1)[0])  # per-requirement options (--hash) are not PEP 508
    return lines


def _toml(path: Path) -> dict:
    try:
        return tomlfile.loads(_text(path))
    except ValueError:
        return {}


def _pyproject(path: Path) -> list[str]:
    data = _toml(path)
    requirements = list(data.get("project", {}).get("dependencies", []))
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    return requirements + list(poetry)  # poetry: the table's keys are the names


def _pipfile(path: Path) -> list[str]:
    return list(_toml(path).get("packages", {}))


def _setup_cfg(path: Path) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(_text(path))
    except configparser.Error:
        return []
    value = parser.get("options", "install_requires", fallback="")
    return [line.split("#", 1)[0].strip() for line in value.splitlines() if line.split("#", 1)[0].strip()]


def _setup_py(path: Path) -> list[str]:
    try:
        tree = ast.parse(_text(path))
    except SyntaxError:
        return []
    assigned = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    values = [k.value for node in ast.walk(tree) if isinstance(node, ast.Call) for k in node.keywords
              if k.arg == "install_requires"]
    values += [assigned[n.id] for value in values for n in ast.walk(value)
               if isinstance(n, ast.Name) and n.id in assigned]
    return [n.value for value in values for n in ast.walk(value)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]
