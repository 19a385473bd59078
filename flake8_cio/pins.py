"""Which major version of the ``customerio`` SDK a project targets, read from its own files.

The linter may run where ``customerio`` is not installed (pre-commit), so the project's pins and any vendored copy
of the SDK decide, not the linter's environment. Nothing here imports or executes project code.

Requirements and specifiers are read with ``packaging`` (PEP 440 and PEP 508, as pip reads them); Poetry's own
constraint syntax (``^2.1``, ``~2.1``, ``||``) is translated to PEP 440 first.
"""
from __future__ import annotations

import ast
import configparser
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from . import tomlfile
from .frozen import frozen
from .vendored import parse_file, read_text, sdk_methods, vendored_sdk_dirs


#: Every ``customerio`` release on PyPI, and a stand-in for a later 3.x.
RELEASES = tuple(Version(v) for v in (
    "0.1.1 0.1.2 0.1.3 0.1.4 0.1.5 0.1.6 0.1.7 0.1.8 0.1.9 0.1.10 0.1.11 0.2 0.2.1 0.2.2 0.2.3 0.2.4 0.3 0.4 0.5 "
    "0.5.1 0.5.2 1.0 1.1 1.2 1.3 1.4 1.5 1.6 1.6.1 2.0 2.1 2.2 2.3 2.4 3.0.0 3.1.0 3.2.0 3.999"
).split())
DATA_DICT_MAJOR = 3  # from 3.0 on, track() takes data={...}; every earlier major takes event data as **kwargs

_POETRY_CLAUSE = re.compile(r"(\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*([^\s,<>=!~^]+)")


@frozen
class Pin:
    """What a project's files say of the SDK it runs."""

    major: int | None  # 0, 1, 2 or 3 (3: any release from 3.0 on); None when its pins do not decide
    pinned: bool  # whether any of its files names ``customerio`` at all


def normalize_name(name: str) -> str:
    """PEP 503: case and runs of ``-``, ``_`` and ``.`` do not matter (so ``customer-io`` is another package)."""
    return canonicalize_name(name)


def _majors(specifier: SpecifierSet) -> frozenset[int]:
    """The majors of the releases a specifier admits, the published ones and those it names itself (a fork's
    ``==2.9.1``); every release from 3.0 on counts as 3."""
    named = []
    for clause in specifier:
        try:
            named.append(Version(clause.version))
        except InvalidVersion:
            pass  # a wildcard (``==2.*``): the published releases answer for it
    admitted = specifier.filter((*RELEASES, *named), prereleases=True)
    return frozenset(min(version.major, DATA_DICT_MAJOR) for version in admitted)


def requirement_majors(requirement: str) -> frozenset[int] | None:
    """The majors a PEP 508 requirement on ``customerio`` admits (``customerio[x]>=2,<3; markers`` -> {2}); None
    when it is about another package or does not parse; every major for a URL (its version is unknown). Markers
    are ignored: any may hold."""
    try:
        parsed = Requirement(requirement.strip())
    except InvalidRequirement:
        return None
    if normalize_name(parsed.name) != "customerio":
        return None
    return _majors(SpecifierSet() if parsed.url else parsed.specifier)


def _poetry_majors(constraint: object) -> frozenset[int] | None:
    """Majors a Poetry constraint admits: ``^2.1``, ``~2.1``, ``2.1`` (exact), ``>=2 <3``, ``2.* || 3.*``, a table
    with ``version`` or a list of tables (alternatives)."""
    if isinstance(constraint, dict):
        constraint = constraint.get("version")
    if isinstance(constraint, list):
        alternatives = [_poetry_majors(item) for item in constraint]
        known = [majors for majors in alternatives if majors is not None]
        return frozenset().union(*known) if known else None
    if not isinstance(constraint, str):
        return None
    admitted: set[int] = set()
    for alternative in constraint.split("||"):
        try:
            admitted |= _majors(SpecifierSet(",".join(_pep440(op, text) for op, text in
                                                     _POETRY_CLAUSE.findall(alternative) if text != "*")))
        except (InvalidSpecifier, InvalidVersion):
            return None
    return frozenset(admitted)


def _pep440(op: str, text: str) -> str:
    """One Poetry clause as PEP 440: ``^2.1`` -> ``>=2.1,<3``, ``~2.1`` -> ``>=2.1,<2.2``, ``2.1`` -> ``==2.1``."""
    if op == "^":  # up to the next major (0.x, where it is the next minor, is not told apart)
        return f">={text},<{Version(text).release[0] + 1}"
    if op == "~":
        release = Version(text).release
        upper = release[:2] if len(release) > 1 else release
        return f">={text},<{'.'.join(map(str, (*upper[:-1], upper[-1] + 1)))}"
    return f"{'==' if op in ('', '=') else op}{text}"


Pins = list  # one entry per pin a source holds: the majors it admits, None where it does not parse


def _decide(found: Pins) -> int | None:
    """The major every pin of a source admits: the one major, 3 when all admitted are 3.0 or later, the newest
    when all are earlier (they all take event data as keyword arguments); None when the pins conflict, admit both
    sides of 3.0, or none parses."""
    known = [majors for majors in found if majors is not None]
    common = frozenset.intersection(*known) if known else frozenset()
    if not common or (min(common) < DATA_DICT_MAJOR <= max(common)):
        return None
    return max(common)


# -- reading files: any failure is "nothing found" -------------------------------------------------------------
def _toml(path: Path) -> dict:
    text = read_text(path)
    try:
        return tomlfile.loads(text) if text is not None else {}
    except ValueError:
        return {}


def _uncomment(line: str) -> str:
    return re.sub(r"(?:^|\s)#.*", "", line).strip()


def _table(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


# -- the sources, in order -------------------------------------------------------------------------------------
def _vendored_pins(root: Path) -> Pins:
    return [_copy_majors(copy) for copy in vendored_sdk_dirs(root)]


def _copy_majors(copy: Path) -> frozenset[int] | None:
    """A vendored copy's version: its version module or ``__version__``, else the ``customerio-*.dist-info``
    beside it, else the signature of ``track`` (``**data`` in 2.x, ``data=None`` since 3.0)."""
    for name in ("__version__.py", "version.py", "_version.py", "__init__.py"):
        version = _module_version(copy / name)
        if version is not None:
            return requirement_majors(f"customerio=={version}")
    for metadata in sorted(copy.parent.glob("customerio-*.dist-info/METADATA")):
        for line in (read_text(metadata) or "").splitlines():
            if line.startswith("Version:"):
                return requirement_majors(f"customerio=={line[8:].strip()}")
    for module in sorted(copy.glob("*.py")):
        track = sdk_methods(parse_file(module)).get("track")
        if track is not None:
            return frozenset({3} if "data" in {arg.arg for arg in track.args.args + track.args.kwonlyargs} else {2})
    return None


def _module_version(path: Path) -> str | None:
    """``__version__ = "2.1.0"`` or ``VERSION = (2, 2, 0, 'final', 0)`` (the 2.x SDK's ``__version__.py``)."""
    tree = parse_file(path)
    for node in tree.body if tree else ():
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        name, value = node.targets[0].id, node.value
        if name == "__version__" and isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
        if name == "VERSION" and isinstance(value, ast.Tuple) and value.elts and \
                isinstance(value.elts[0], ast.Constant) and type(value.elts[0].value) is int:
            return str(value.elts[0].value)
    return None


def _locked_pins(path: Path) -> Pins:
    """uv.lock and poetry.lock: ``[[package]] name = "customerio" version = "2.1"``."""
    packages = _toml(path).get("package")
    return [
        requirement_majors(f"customerio=={package['version']}")
        for package in (packages if isinstance(packages, list) else [])
        if isinstance(package, dict) and isinstance(package.get("name"), str)
        and normalize_name(package["name"]) == "customerio" and isinstance(package.get("version"), str)
    ]


def _pipfile_lock_pins(path: Path) -> Pins:
    """Pipfile.lock: ``{"default": {"customerio": {"version": "==2.1"}}}`` (and ``develop``)."""
    text = read_text(path)
    try:
        data = json.loads(text) if text is not None else {}
    except (ValueError, RecursionError):
        return []
    found = []
    for section in ("default", "develop"):
        for name, info in _table(_table(data).get(section)).items():
            version = _table(info).get("version")
            if normalize_name(name) == "customerio" and isinstance(version, str):
                found.append(requirement_majors(f"customerio{version}"))
    return found


def _pipfile_pins(path: Path) -> Pins:
    """Pipfile ``[packages]`` and ``[dev-packages]``: ``customerio = "==2.4"`` (a PEP 440 specifier, ``"*"`` for
    any release), ``{version = "==2.4", markers = ...}``; a ``git``, ``path`` or ``file`` entry without a
    ``version`` is a release nobody can tell: every major."""
    data = _toml(path)
    found = []
    for section in ("packages", "dev-packages"):
        for name, value in _table(data.get(section)).items():
            if normalize_name(name) == "customerio":
                found.append(_pipfile_majors(value))
    return found


def _pipfile_majors(value: object) -> frozenset[int] | None:
    if isinstance(value, dict):
        value = value.get("version", "*")
    if not isinstance(value, str):
        return None
    value = value.strip()
    return requirement_majors(f"customerio{'' if value == '*' else value}")


def _requirements_pins(root: Path) -> Pins:
    files = sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt"))
    found: list = []
    seen: set[str] = set()
    for path in files:
        _read_requirements(path, seen, found)
    return found


def _read_requirements(path: Path, seen: set[str], found: list) -> None:
    """Requirements of a pip requirements file, following ``-r``/``-c`` includes once each."""
    real = os.path.realpath(path)
    if real in seen:
        return
    seen.add(real)
    text = read_text(path)
    for line in re.sub(r"\\\r?\n", " ", text or "").splitlines():
        line = _uncomment(line)
        include = re.match(r"(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s*)(\S+)", line)
        if include:
            _read_requirements(path.parent / include.group(1), seen, found)
        elif line and not line.startswith("-"):
            found.append(requirement_majors(re.split(r"\s+--?[A-Za-z]", line, maxsplit=1)[0]))


def _pyproject_pins(path: Path) -> Pins:
    """PEP 621 dependencies and optional dependencies, PEP 735 dependency groups, Poetry dependencies."""
    data = _toml(path)
    project = _table(data.get("project"))
    requirements = _strings(project.get("dependencies"))
    for group in list(_table(project.get("optional-dependencies")).values()) + \
            list(_table(data.get("dependency-groups")).values()):
        requirements += _strings(group)
    found = [requirement_majors(requirement) for requirement in requirements]
    poetry = _table(_table(data.get("tool")).get("poetry"))
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")] + \
        [_table(group).get("dependencies") for group in _table(poetry.get("group")).values()]
    for table in tables:
        found += [_poetry_majors(value) for name, value in _table(table).items()
                  if normalize_name(name) == "customerio"]
    return found


def _setup_cfg_pins(path: Path) -> Pins:
    """``[options] install_requires`` and ``[options.extras_require]``."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(read_text(path) or "")
    except configparser.Error:
        return []
    values = [parser.get("options", "install_requires", fallback="")]
    if parser.has_section("options.extras_require"):
        values += [value for _, value in parser.items("options.extras_require")]
    lines = [_uncomment(line) for value in values for line in value.splitlines()]
    return [requirement_majors(line) for line in lines if line]


def _setup_py_pins(path: Path) -> Pins:
    """String literals in ``setup(install_requires=..., extras_require=...)``, through module-level names."""
    tree = parse_file(path)
    if tree is None:
        return []
    assigned = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    values = [keyword.value for node in ast.walk(tree) if isinstance(node, ast.Call)
              for keyword in node.keywords if keyword.arg in ("install_requires", "extras_require")]
    values += [assigned[node.id] for value in values for node in ast.walk(value)
               if isinstance(node, ast.Name) and node.id in assigned]
    return [requirement_majors(node.value) for value in values for node in ast.walk(value)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


SOURCES = (  # in order: the first that decides wins
    _vendored_pins,
    lambda root: _locked_pins(root / "uv.lock"),
    lambda root: _locked_pins(root / "poetry.lock"),
    lambda root: _pipfile_lock_pins(root / "Pipfile.lock"),
    lambda root: _pipfile_pins(root / "Pipfile"),
    _requirements_pins,
    lambda root: _pyproject_pins(root / "pyproject.toml"),
    lambda root: _setup_cfg_pins(root / "setup.cfg"),
    lambda root: _setup_py_pins(root / "setup.py"),
)


def sdk_major_from_project(root: Path) -> int | None:
    """The ``customerio`` major the project at ``root`` pins (see ``sdk_pin``), else None."""
    return sdk_pin(root).major


def sdk_pin(root: Path) -> Pin:
    """What the project at ``root`` pins.

    Sources, first that decides wins: a vendored copy of the SDK (its version file), ``uv.lock``, ``poetry.lock``,
    ``Pipfile.lock``, ``Pipfile``, ``requirements*.txt`` and ``requirements/*.txt`` (with ``-r``/``-c`` includes),
    ``pyproject.toml`` (PEP 621, PEP 735 groups, Poetry), ``setup.cfg``, ``setup.py`` (read, never run). A source
    decides when its pins together admit one major, or only majors on one side of 3.0 (see ``_decide``): ``>=2``
    alone, or ``==2.1`` in one file and ``==3.0`` in another, leave it to the next source. Pins that no source
    decides make an unknown major (``Pin(None, pinned=True)``), never a guess.
    """
    return _sdk_pin(os.path.realpath(root))


@lru_cache(maxsize=32)
def _sdk_pin(root: str) -> Pin:
    pinned = False
    for source in SOURCES:
        found = source(Path(root))
        major = _decide(found)
        if major is not None:
            return Pin(major, True)
        pinned = pinned or any(majors is not None for majors in found)
    return Pin(None, pinned)


def forget() -> None:
    """Drop what this process read of projects' pins (files changed; benchmarks)."""
    _sdk_pin.cache_clear()
