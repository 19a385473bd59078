"""The options the plugin and ``cio-fix`` share: defaults, validation and their flake8 registration."""
from __future__ import annotations

import configparser
import re
import sys
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, as a package, before 3.11
    import tomli as tomllib

NAME_STYLES = {
    "snake_case": re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*"),
    "camelCase": re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*"),
    "PascalCase": re.compile(r"(?:[A-Z][a-z0-9]*)+"),
    "kebab-case": re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"),
    "object-action": re.compile(r"[A-Z][A-Za-z0-9]*(?: [A-Z][A-Za-z0-9]*)*"),  # "Order Completed"
    "capitalized-words": re.compile(r"[A-Z][A-Za-z0-9]*(?: [A-Za-z0-9]+)*"),  # "Order Completed", "Signed up"
    "any": re.compile(r".+", re.S),
}
DEFAULT_CLIENT_NAMES = ("cio", "customerio", "customer_io", "cio_client", "customerio_client")


class OptionError(ValueError):
    """A bad option value; the message names the option and what it accepts."""


@lru_cache(maxsize=1)
def installed_sdk_major() -> int:
    """Major version of the ``customerio`` distribution installed here, else 3 (the current SDK)."""
    from importlib import metadata

    try:
        return int(metadata.version("customerio").split(".", 1)[0])
    except (metadata.PackageNotFoundError, ValueError):
        return 3


@dataclass(frozen=True)
class Options:
    client_names: tuple[str, ...] = DEFAULT_CLIENT_NAMES
    route_decorators: tuple[str, ...] = ()
    event_name_style: str = "snake_case"
    pipelines_event_name_style: str = "capitalized-words"
    sdk_major: int | None = None  # None: the project's pin or vendored copy, else the installed SDK, else 3
    catalog: str | None = None  # path of the event catalog; default: ./cio-catalog.toml when present
    project_analysis: bool = True  # read the project's other modules (wrappers, services, factories)
    cache_dir: str | None = None  # where module summaries are cached; default: the user's cache folder
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

    @property
    def client_name_set(self) -> frozenset[str]:
        return frozenset(name.lower() for name in self.client_names)


def flag(name: str) -> str:
    return "cio-" + name.replace("_", "-")


def _names(name, raw):
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    items = tuple(item.strip() for item in items if item.strip())
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
    if value not in ("2", "3"):
        raise OptionError(f"{flag(name)}: {value!r} is not one of 2, 3")
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
OPTION_HELP = {
    "client_names": "Names (last part of a name or attribute chain, any case) that hold a Customer.io client "
    f"(default: {','.join(DEFAULT_CLIENT_NAMES)}).",
    "route_decorators": "More decorators (dotted names, matched by suffix) that mark web request handlers.",
    "event_name_style": f"Style of Track API event names, one of {', '.join(NAME_STYLES)} (default: snake_case).",
    "pipelines_event_name_style": "Style of Data Pipelines event names (default: capitalized-words: 'Order Completed' "
    "or 'Signed up'; object-action is strict Title Case).",
    "sdk_major": "Major version of the customerio SDK the code targets: 2 or 3 (default: the project's pin in "
    "requirements/pyproject/setup/lock files or its vendored copy, else the installed SDK, else 3).",
    "catalog": "Event catalog (TOML) the CIO7xx rules check against (default: ./cio-catalog.toml when present).",
    "project_analysis": "Read the project's other modules to see Customer.io behind wrappers, services and "
    "factories (default: true).",
    "cache_dir": "Folder for cached module summaries (default: the user's cache folder; unwritable means no cache).",
    "email_profiles": "Whether people are meant to be reachable by email; false turns CIO303 off for push- or "
    "SMS-only workspaces (default: true).",
}
assert set(OPTION_HELP) == {f.name for f in fields(Options)} == set(OPTION_SPECS)


def read_config(directory: Path) -> dict:
    """cio-* options from setup.cfg, tox.ini, .flake8 ([flake8]) and pyproject.toml ([tool.flake8-cio]): what
    cio-fix reads, and what the plugin checks for unknown keys (flake8 itself ignores them). Later files win."""
    values: dict = {}
    for name in ("setup.cfg", "tox.ini", ".flake8"):
        path = directory / name
        if path.is_file():
            parser = configparser.RawConfigParser()
            try:
                parser.read(path, encoding="utf-8")
            except configparser.Error as error:
                raise OptionError(f"{path}: {error}") from None
            if parser.has_section("flake8"):
                for key, value in parser.items("flake8"):
                    if key.startswith(("cio-", "cio_")):
                        values[_config_name(key, path)] = value
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}).get("flake8-cio", {})
        except tomllib.TOMLDecodeError as error:
            raise OptionError(f"{pyproject}: {error}") from None
        for key, value in table.items():
            values[_config_name(key if key.startswith("cio") else "cio-" + key, pyproject)] = value
    return values


def _config_name(key: str, where: Path) -> str:
    name = key.replace("-", "_").removeprefix("cio_")
    if name not in OPTION_SPECS:
        raise OptionError(f"{where}: unknown option {key!r}; known: {', '.join(map(flag, OPTION_SPECS))}")
    return name
