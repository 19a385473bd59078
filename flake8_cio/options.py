"""The options the plugin and ``cio-fix`` share: defaults, validation and their flake8 registration."""
from __future__ import annotations

import configparser
import difflib
import os
import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Callable, Iterable

from . import tomlfile
from .frozen import fields, frozen, values


NAME_STYLES = {  # patterns, compiled on first use by `re` (a run reading findings back matches no name)
    "snake_case": r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*",
    "camelCase": r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*",
    "PascalCase": r"(?:[A-Z][a-z0-9]*)+",
    "kebab-case": r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*",
    "object-action": r"[A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*)*",  # "Order Completed"
    "capitalized-words": r"[A-Z][A-Za-z0-9]*(?: [A-Za-z0-9]+)*",  # "Order Completed", "Signed up"
    "any": r"(?s).+",
}
DEFAULT_CLIENT_NAMES = ("cio", "customerio", "customer_io", "cio_client", "customerio_client")


class OptionError(ValueError):
    """A bad option value; the message names the option and what it accepts."""


@lru_cache(maxsize=1)
def installed_sdk_major() -> int | None:
    """Major version of the ``customerio`` distribution installed here, None when there is none."""
    from importlib import metadata

    try:
        return int(metadata.version("customerio").split(".", 1)[0])
    except (metadata.PackageNotFoundError, ValueError):
        return None


@frozen
class Options:
    """The plugin's settings (``cio-*`` in flake8's configuration), shared by flake8 and ``cio-fix``."""

    client_names: tuple[str, ...] = DEFAULT_CLIENT_NAMES
    route_decorators: tuple[str, ...] = ()
    event_name_style: str = "snake_case"
    pipelines_event_name_style: str = "capitalized-words"
    sdk_major: int | None = None  # None: the project's pin or vendored copy, else the installed SDK, else unknown
    catalog: str | None = None  # path of the event catalog; default: ./cio-catalog.toml when present
    project_analysis: bool = True  # read the project's other modules (wrappers, services, factories)
    cache_dir: str | None = None  # where module summaries and findings are cached; default: the user's cache folder
    email_profiles: bool = True  # CIO303: people must be reachable by email; off for push- or SMS-only workspaces

    @classmethod
    def from_values(cls, **values) -> "Options":
        """Build from raw option values (strings, lists or None for the default), validating each."""
        kwargs = {}
        for name, raw in values.items():
            if raw is None:
                continue
            if name not in OPTION_SPECS:
                raise OptionError(f"unknown option {flag(name)!r}; known options: {', '.join(map(flag, OPTION_SPECS))}")
            try:
                kwargs[name] = OPTION_SPECS[name](name, raw)
            except ValueError as error:  # CatalogError: already says file, line and key
                raise OptionError(str(error) if isinstance(error, OptionError) else f"{flag(name)}: {error}") from None
        return cls(**kwargs)

    @cached_property  # asked for every file and every name (a frozen record keeps it in its __dict__)
    def client_name_set(self) -> frozenset[str]:
        return frozenset(name.lower() for name in self.client_names)

    def __hash__(self) -> int:
        return self._hash  # options key the caches asked once per file: hashing every field each time was dearer

    @cached_property
    def _hash(self) -> int:
        return hash(values(self))


def flag(name: str) -> str:
    return "cio-" + name.replace("_", "-")


def _names(name, raw):
    """A comma- or whitespace-separated list of dotted names."""
    items = tuple(split_list(raw))
    for item in items:
        if not re.fullmatch(r"[A-Za-z_][\w.]*", item):
            raise OptionError(f"{flag(name)}: {item!r} is not a dotted Python name")
    return items


def _style(name, raw):
    value = str(raw).strip()
    if value not in NAME_STYLES:
        raise OptionError(f"{flag(name)}: {value!r} is not one of {', '.join(NAME_STYLES)}")
    return value


def _major(name, raw):
    value = str(raw).strip()
    if value not in ("0", "1", "2", "3"):
        raise OptionError(f"{flag(name)}: {value!r} is not one of 0, 1, 2, 3")
    return int(value)


def _bool(name, raw):
    value = str(raw).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise OptionError(f"{flag(name)}: {raw!r} is not one of true, false")


def _path(name, raw):
    value = str(raw).strip()
    if not value:
        raise OptionError(f"{flag(name)}: an empty path")
    return value


def _catalog(name, raw):
    """A catalog path must load: its errors name the file, line and key."""
    from .catalog import load

    value = str(raw).strip()
    load(value)
    return value


OPTION_SPECS = {
    "client_names": _names,
    "route_decorators": _names,
    "event_name_style": _style,
    "pipelines_event_name_style": _style,
    "sdk_major": _major,
    "catalog": _catalog,
    "project_analysis": _bool,
    "cache_dir": _path,
    "email_profiles": _bool,
}
LIST_OPTIONS = frozenset(name for name, spec in OPTION_SPECS.items() if spec is _names)  # comma/space lists
PATH_KEYS = frozenset(flag(name) for name, spec in OPTION_SPECS.items() if spec in (_path, _catalog))
OPTION_HELP = {
    "client_names": "Names (last part of a name or attribute chain, any case) that hold a Customer.io client "
    f"(default: {','.join(DEFAULT_CLIENT_NAMES)}).",
    "route_decorators": "More decorators (dotted names, matched by suffix) that mark web request handlers.",
    "event_name_style": f"Style of Track API event names, one of {', '.join(NAME_STYLES)} (default: snake_case).",
    "pipelines_event_name_style": "Style of Data Pipelines event names (default: capitalized-words: 'Order Completed' "
    "or 'Signed up'; object-action is strict Title Case).",
    "sdk_major": "Major version of the customerio SDK the code targets: 0 to 3 (default: the project's pin in "
    "requirements/pyproject/setup/lock files or its vendored copy; with no pin, the installed SDK; else unknown).",
    "catalog": "Event catalog (TOML) the CIO7xx rules check against (default: ./cio-catalog.toml when present).",
    "project_analysis": "Read the project's other modules to see Customer.io behind wrappers, services and "
    "factories (default: true).",
    "cache_dir": "Folder for cached module summaries and findings (default: the user's cache folder; unwritable means no cache).",
    "email_profiles": "Whether people are meant to be reachable by email; false turns CIO303 off for push- or "
    "SMS-only workspaces (default: true).",
}
assert set(OPTION_HELP) == set(fields(Options)) == set(OPTION_SPECS)


FIX_OPTIONS = ("unfixable", "extend_unsafe_fixes")  # read by cio-fix only: codes or prefixes, as ruff's lint.*
CODE_KEYS = ("select", "extend-select", "ignore", "extend-ignore")  # flake8's, with every plugin's codes


def unknown_code(code: str, rules) -> str | None:
    """Why a code is no rule and no prefix of one, naming the nearest real code (CI0 and CIO1O: an O and a zero
    typed for each other); None when it is one."""
    rules = sorted(rules)
    if any(rule.startswith(code) for rule in rules):
        return None
    typo = "CIO" + code[3:].replace("O", "0") if code.startswith(("CIO", "CI0")) else code
    near = typo if any(rule.startswith(typo) for rule in rules) else \
        difflib.get_close_matches(typo, rules, n=1, cutoff=0)[0]
    return f"unknown rule code {code!r} (did you mean {near!r}?); codes are {', '.join(rules)}"


def check_codes(values: dict, rules: Callable[[], Iterable[str]]) -> None:
    """flake8's select and ignore settings (``{"--select": raw, ...}``): a code with our prefix (or CI0) that is no
    rule and no rule's prefix is an error (flake8 accepts any well-formed code: ``--select CIO999`` would check
    nothing and pass). Other plugins' codes are theirs. ``rules()``, the codes (importing the rules), is asked only
    for a code other than CIO."""
    ours = {(where, code) for where, raw in values.items() for code in split_list(raw or "")
            if code.upper().startswith(("CIO", "CI0")) and code.upper() != "CIO"}
    for where, code in sorted(ours):
        problem = unknown_code(code.upper(), rules())
        if problem:
            raise OptionError(f"{where}: {problem}")


def split_list(raw) -> list[str]:
    """A list option as flake8 reads it (``comma_separated_list``): commas or whitespace, so multi-line lists work."""
    items = re.split(r"[,\s]+", raw) if isinstance(raw, str) else [str(item).strip() for item in raw]
    return [item for item in items if item]


def load_config(config: str | None = None, append: list[str] | tuple = (), isolated: bool = False) -> tuple[dict, str]:
    """The one configuration reader of the plugin and cio-fix: flake8's own discovery (``--config``,
    ``--append-config``, ``--isolated``, parent folders up to the home folder), ``[tool.flake8]`` of ./pyproject.toml
    in its place as Flake8-pyproject does, then ``[tool.flake8-cio]`` of the nearest pyproject.toml for cio- keys the
    flake8 files leave unset. Returns (raw values by flake8 key: ``exclude``, ``cio-client-names``, ...; the folder
    flake8's relative paths are read from). Our path options are read relative to the file that sets them, as
    flake8 reads its own. A misspelt cio- key is an error (flake8 would ignore it)."""
    from flake8.exceptions import ExecutionError
    from flake8.options.config import load_config as flake8_load_config

    cwd = Path.cwd()
    if isolated:
        return {}, str(cwd)
    pyproject = _toml_tables(cwd / "pyproject.toml")
    try:
        if config is None and "flake8" in pyproject:  # Flake8-pyproject: ./pyproject.toml replaces discovery
            parser, directory = configparser.RawConfigParser(), str(cwd)
            parser.read_dict({"flake8": {key: _ini(value) for key, value in pyproject["flake8"].items()}})
            for extra in append:
                if not parser.read(extra, encoding="utf-8"):
                    raise OptionError(f"The specified config file does not exist: {extra}")
        else:
            parser, directory = flake8_load_config(config, list(append), isolated=False)
    except ExecutionError as error:
        raise OptionError(str(error)) from None
    except configparser.Error as error:
        raise OptionError(str(error).replace("\n", " ")) from None
    values = {key.replace("_", "-"): value for key, value in parser.items("flake8")} if "flake8" in parser else {}
    for key, value in values.items():
        origin = _origin(key, config, append, directory, "flake8" in pyproject)
        _check_cio_key(key, origin)
        values[key] = _relative_to(os.path.dirname(origin), value) if key in PATH_KEYS else value
    if config is None:
        nearest = next((folder / "pyproject.toml" for folder in _folders(cwd)
                        if "flake8-cio" in _toml_tables(folder / "pyproject.toml")), None)
        for key, value in (_toml_tables(nearest)["flake8-cio"] if nearest else {}).items():
            key = key.replace("_", "-")
            key = key if key.startswith("cio-") else "cio-" + key
            _check_cio_key(key, f"{nearest} [tool.flake8-cio]")
            value = _ini(value)
            values.setdefault(key, _relative_to(str(nearest.parent), value) if key in PATH_KEYS else value)
    return values, directory


def _relative_to(folder: str, value: str) -> str:
    """A path read from a configuration file in ``folder``, as the tools open it: relative to the working folder
    (a finding's message that quotes the catalog stays the same on every machine), absolute only across drives."""
    if not value.strip():
        return value  # the option's own check says what is wrong with it
    path = os.path.join(folder, value.strip())
    try:
        return os.path.relpath(path)
    except ValueError:  # Windows: another drive
        return os.path.abspath(path)


def _folders(start: Path):
    """``start`` and its parents, up to (not past) the home folder, as flake8 searches."""
    home = Path(os.path.expanduser("~"))
    for folder in (start, *start.parents):
        yield folder
        if folder == home:
            return


def _toml_tables(path: Path) -> dict:
    """The [tool] tables of a pyproject.toml, {} when there is none; one that never says flake8 is not parsed (most
    configure other tools only)."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text("utf-8")
        return tomlfile.loads(text).get("tool", {}) if "flake8" in text else {}
    except ValueError as error:  # UnicodeDecodeError, TOMLDecodeError
        raise OptionError(f"{path}: {error}") from None


def _ini(value) -> str:
    """A TOML value as the INI text flake8 would have read (lists joined by commas)."""
    if isinstance(value, bool):
        return str(value).lower()
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _origin(key: str, config: str | None, append, directory: str, from_pyproject: bool) -> str:
    """The file a [flake8] key was read from: the last of the appended files that has it, else the main one
    (``--config``, ./pyproject.toml's [tool.flake8], or the setup.cfg, tox.ini or .flake8 flake8 found)."""
    for extra in reversed(list(append)):
        reader = configparser.RawConfigParser()
        if reader.read(extra, encoding="utf-8") and reader.has_option("flake8", key):
            return str(extra)
    if config or from_pyproject:
        return str(config or Path(directory, "pyproject.toml"))
    return next((str(Path(directory, name)) for name in ("setup.cfg", "tox.ini", ".flake8")
                 if _has_flake8_section(Path(directory, name))), directory)


def _has_flake8_section(path: Path) -> bool:
    reader = configparser.RawConfigParser()
    try:
        return bool(reader.read(path, encoding="utf-8")) and reader.has_section("flake8")
    except configparser.Error:
        return False


def _check_cio_key(key: str, where) -> None:
    if key.startswith(("cio-", "cio_")) and config_name(key) not in (*OPTION_SPECS, *FIX_OPTIONS):
        known = [flag(name) for name in (*OPTION_SPECS, *FIX_OPTIONS)]
        near = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise OptionError(f"{where}: unknown option {key!r}{hint}; known: {', '.join(known)}")


def config_name(key: str) -> str:
    """``cio-client-names`` -> ``client_names``."""
    return key.replace("-", "_").removeprefix("cio_")


def option_values(config: dict) -> dict:
    """The engine's options among a load_config() result, by Options field name."""
    return {name: config.get(flag(name)) for name in OPTION_SPECS}
