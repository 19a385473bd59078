"""Which major version of the ``customerio`` SDK a project targets, read from its own files.

The linter may run where ``customerio`` is not installed (pre-commit), so the project's pins and any vendored copy
of the SDK decide, not the linter's environment. Nothing here imports or executes project code.

Requirement specifiers are parsed here rather than with ``packaging``: flake8 depends only on mccabe, pycodestyle
and pyflakes, so ``packaging`` is not guaranteed to be installed beside it, and we need only the release numbers
of a specifier to tell which majors it admits.
"""
from __future__ import annotations

import ast
import configparser
import json
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, as a package, before 3.11
    import tomli as tomllib

KNOWN_MAJORS = frozenset({2, 3})  # the majors whose APIs the rules tell apart
MAX_DEPTH = 6  # how far below the project root vendored copies are looked for
SKIPPED_DIRS = {"node_modules", "site-packages", "build", "dist", "venv", "__pycache__"}
TRACK_HOSTS = ("track.customer.io", "track-eu.customer.io")

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)", re.S)
_CLAUSE = re.compile(r"\s*(~=|===|==|!=|<=|>=|<|>)\s*(\S+)\s*")
_VERSION = re.compile(
    r"v?(\d+(?:\.\d+)*)(\.\*)?"  # release, wildcard
    r"(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview|post|rev|r|dev)[-_.]?\d*)*(?:\+[a-z0-9.]+)?",  # pre/post/dev/local
    re.I,
)
_POETRY_CLAUSE = re.compile(r"(\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*([^\s,<>=!~^]+)")

Clause = tuple[str, tuple[int, ...], bool]  # operator, release, wildcard (``==2.*``)


def normalize_name(name: str) -> str:
    """PEP 503: case and runs of ``-``, ``_`` and ``.`` do not matter (so ``customer-io`` is another package)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _release(text: str) -> tuple[tuple[int, ...], bool] | None:
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split(".")), bool(match.group(2))


def _trim(release: tuple[int, ...]) -> tuple[int, ...]:
    """PEP 440 compares 2, 2.0 and 2.0.0 as equal."""
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    return release


def _bump(prefix: tuple[int, ...]) -> tuple[int, ...]:
    """The first release after every release starting with ``prefix``: 2.1 -> 2.2."""
    return prefix[:-1] + (prefix[-1] + 1,)


def _admits(clauses: list[Clause], major: int) -> bool:
    """Whether some release of ``major`` satisfies every clause (pre-release tags ignored)."""
    lo, lo_incl, hi, hi_incl = (major,), True, (major + 1,), False

    def lower(value, incl):
        nonlocal lo, lo_incl
        value = _trim(value)
        if value > lo or (value == lo and not incl):
            lo, lo_incl = value, incl

    def upper(value, incl):
        nonlocal hi, hi_incl
        value = _trim(value)
        if value < hi or (value == hi and not incl):
            hi, hi_incl = value, incl

    for op, release, wild in clauses:
        if op in ("==", "===") and wild:
            lower(release, True)
            upper(_bump(release), False)
        elif op in ("==", "==="):
            lower(release, True)
            upper(release, True)
        elif op == "~=":
            lower(release, True)
            upper(_bump(release[:-1]), False)
        elif op in (">=", ">"):
            lower(release, op == ">=")
        elif op in ("<=", "<"):
            upper(release, op == "<=")
    if not (lo < hi or (lo == hi and lo_incl and hi_incl)):
        return False
    for op, release, wild in clauses:
        if op == "!=" and not wild and lo == hi == _trim(release):
            return False
        if op == "!=" and wild:  # excluded when the range lies within release.*
            end = _trim(_bump(release))
            if lo >= _trim(release) and (hi < end or (hi == end and not hi_incl)):
                return False
    return True


def _majors(clauses: list[Clause]) -> frozenset[int]:
    return frozenset(major for major in KNOWN_MAJORS if _admits(clauses, major))


def _specifier_clauses(specifier: str) -> list[Clause] | None:
    """PEP 440 clauses of ``>=2,<3``; None when one does not parse."""
    if not specifier.strip():
        return []
    clauses = []
    for part in specifier.split(","):
        match = _CLAUSE.fullmatch(part)
        release = match and _release(match.group(2))
        if not release or (release[1] and match.group(1) not in ("==", "!=")) or \
                (match.group(1) == "~=" and len(release[0]) < 2):
            return None
        clauses.append((match.group(1), *release))
    return clauses


def requirement_majors(requirement: str) -> frozenset[int] | None:
    """The known majors a PEP 508 requirement on ``customerio`` admits (``customerio[x]>=2,<3; markers`` ->
    {2}); None when it is about another package, names a URL or does not parse."""
    match = _NAME.fullmatch(requirement)
    if match is None or normalize_name(match.group(1)) != "customerio":
        return None
    rest = match.group(2).split(";", 1)[0].strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    clauses = _specifier_clauses(rest)
    return None if clauses is None else _majors(clauses)


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
    admitted = set()
    for alternative in constraint.split("||"):
        clauses = []
        for op, text in _POETRY_CLAUSE.findall(alternative):
            if text == "*":
                continue
            release = _release(text)
            if release is None:
                return None
            version, wild = release
            if op == "^":  # up to the next major (0.x, where it is the next minor, is not told apart)
                clauses += [(">=", version, False), ("<", _bump(version[:1]), False)]
            elif op == "~":
                clauses += [(">=", version, False), ("<", _bump(version[:2] if len(version) > 1 else version), False)]
            else:
                clauses.append(("==" if op in ("", "=") else op, version, wild))
        admitted |= _majors(clauses)
    return frozenset(admitted)


def _decide(found: list[frozenset[int] | None]) -> int | None:
    """The one major every pin of a source admits, else None (no pin, or pins that admit both or conflict)."""
    known = [majors for majors in found if majors is not None]
    if not known:
        return None
    common = frozenset.intersection(*known)
    return next(iter(common)) if len(common) == 1 else None


# -- reading files: any failure is "nothing found" -------------------------------------------------------------
def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _toml(path: Path) -> dict:
    text = _read(path)
    try:
        return tomllib.loads(text) if text is not None else {}
    except tomllib.TOMLDecodeError:
        return {}


def _uncomment(line: str) -> str:
    return re.sub(r"(?:^|\s)#.*", "", line).strip()


def _table(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _parse(path: Path) -> ast.Module | None:
    text = _read(path)
    try:
        return ast.parse(text) if text is not None else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# -- the sources, in order -------------------------------------------------------------------------------------
def _vendored_major(root: Path) -> int | None:
    return _decide([_copy_majors(copy) for copy in vendored_sdk_dirs(root)])


def _copy_majors(copy: Path) -> frozenset[int] | None:
    """A vendored copy's version: its version module or ``__version__``, else the ``customerio-*.dist-info``
    beside it, else the signature of ``track`` (``**data`` in 2.x, ``data=None`` since 3.0)."""
    for name in ("__version__.py", "version.py", "_version.py", "__init__.py"):
        version = _module_version(copy / name)
        if version is not None:
            return requirement_majors(f"customerio=={version}")
    for metadata in sorted(copy.parent.glob("customerio-*.dist-info/METADATA")):
        for line in (_read(metadata) or "").splitlines():
            if line.startswith("Version:"):
                return requirement_majors(f"customerio=={line[8:].strip()}")
    for module in sorted(copy.glob("*.py")):
        track = _sdk_methods(_parse(module)).get("track")
        if track is not None:
            return frozenset({3} if "data" in {arg.arg for arg in track.args.args + track.args.kwonlyargs} else {2})
    return None


def _module_version(path: Path) -> str | None:
    """``__version__ = "2.1.0"`` or ``VERSION = (2, 2, 0, 'final', 0)`` (the 2.x SDK's ``__version__.py``)."""
    tree = _parse(path)
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


def _locked_major(path: Path) -> int | None:
    """uv.lock and poetry.lock: ``[[package]] name = "customerio" version = "2.1"``."""
    packages = _toml(path).get("package")
    return _decide([
        requirement_majors(f"customerio=={package['version']}")
        for package in (packages if isinstance(packages, list) else [])
        if isinstance(package, dict) and isinstance(package.get("name"), str)
        and normalize_name(package["name"]) == "customerio" and isinstance(package.get("version"), str)
    ])


def _pipfile_lock_major(path: Path) -> int | None:
    """Pipfile.lock: ``{"default": {"customerio": {"version": "==2.1"}}}`` (and ``develop``)."""
    text = _read(path)
    try:
        data = json.loads(text) if text is not None else {}
    except (ValueError, RecursionError):
        return None
    found = []
    for section in ("default", "develop"):
        for name, info in _table(_table(data).get(section)).items():
            version = _table(info).get("version")
            if normalize_name(name) == "customerio" and isinstance(version, str):
                found.append(requirement_majors(f"customerio{version}"))
    return _decide(found)


def _requirements_major(root: Path) -> int | None:
    files = sorted(root.glob("requirements*.txt")) + sorted(root.glob("requirements/*.txt"))
    found: list = []
    seen: set[str] = set()
    for path in files:
        _read_requirements(path, seen, found)
    return _decide(found)


def _read_requirements(path: Path, seen: set[str], found: list) -> None:
    """Requirements of a pip requirements file, following ``-r``/``-c`` includes once each."""
    real = os.path.realpath(path)
    if real in seen:
        return
    seen.add(real)
    text = _read(path)
    for line in re.sub(r"\\\r?\n", " ", text or "").splitlines():
        line = _uncomment(line)
        include = re.match(r"(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s*)(\S+)", line)
        if include:
            _read_requirements(path.parent / include.group(1), seen, found)
        elif line and not line.startswith("-"):
            found.append(requirement_majors(re.split(r"\s+--?[A-Za-z]", line, maxsplit=1)[0]))


def _pyproject_major(path: Path) -> int | None:
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
    return _decide(found)


def _setup_cfg_major(path: Path) -> int | None:
    """``[options] install_requires`` and ``[options.extras_require]``."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(_read(path) or "")
    except configparser.Error:
        return None
    values = [parser.get("options", "install_requires", fallback="")]
    if parser.has_section("options.extras_require"):
        values += [value for _, value in parser.items("options.extras_require")]
    lines = [_uncomment(line) for value in values for line in value.splitlines()]
    return _decide([requirement_majors(line) for line in lines if line])


def _setup_py_major(path: Path) -> int | None:
    """String literals in ``setup(install_requires=..., extras_require=...)``, through module-level names."""
    tree = _parse(path)
    if tree is None:
        return None
    assigned = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    values = [keyword.value for node in ast.walk(tree) if isinstance(node, ast.Call)
              for keyword in node.keywords if keyword.arg in ("install_requires", "extras_require")]
    values += [assigned[node.id] for value in values for node in ast.walk(value)
               if isinstance(node, ast.Name) and node.id in assigned]
    return _decide([requirement_majors(node.value) for value in values for node in ast.walk(value)
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)])


SOURCES = (  # in order: the first that decides wins
    _vendored_major,
    lambda root: _locked_major(root / "uv.lock"),
    lambda root: _locked_major(root / "poetry.lock"),
    lambda root: _pipfile_lock_major(root / "Pipfile.lock"),
    _requirements_major,
    lambda root: _pyproject_major(root / "pyproject.toml"),
    lambda root: _setup_cfg_major(root / "setup.cfg"),
    lambda root: _setup_py_major(root / "setup.py"),
)


def sdk_major_from_project(root: Path) -> int | None:
    """The ``customerio`` major (2 or 3) the project at ``root`` pins, else None.

    Sources, first that decides wins: a vendored copy of the SDK (its version file), ``uv.lock``, ``poetry.lock``,
    ``Pipfile.lock``, ``requirements*.txt`` and ``requirements/*.txt`` (with ``-r``/``-c`` includes),
    ``pyproject.toml`` (PEP 621, PEP 735 groups, Poetry), ``setup.cfg``, ``setup.py`` (read, never run). A source
    decides when its pins together admit exactly one of 2 and 3: ``>=2`` alone, or ``==2.1`` in one file and ``==3.0``
    in another, leave it to the next source.
    """
    return _sdk_major(os.path.realpath(root))


@lru_cache(maxsize=32)
def _sdk_major(root: str) -> int | None:
    for source in SOURCES:
        major = source(Path(root))
        if major is not None:
            return major
    return None


# -- vendored copies -------------------------------------------------------------------------------------------
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


def _sdk_methods(tree: ast.Module | None) -> dict[str, ast.FunctionDef]:
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
        text = _read(module) or ""
        has_host = has_host or any(host in text for host in TRACK_HOSTS)
        if not has_class:
            try:
                has_class = {"identify", "track"} <= _sdk_methods(ast.parse(text)).keys()
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
    return has_class and has_host


def is_vendored_sdk_file(path: Path, root: Path) -> bool:
    """Whether ``path`` is in a vendored SDK copy under ``root`` or in that copy's tests: ``tests/`` inside it, or
    beside it when the folder holding both has no code of its own (a vendored checkout of the SDK's repository)."""
    real = Path(os.path.realpath(path))
    for copy in vendored_sdk_dirs(root):
        if real.is_relative_to(copy):
            return True
        if real.is_relative_to(copy.parent / "tests") and _holds_only(copy.parent, copy):
            return True
    return False


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
