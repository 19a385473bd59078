"""The event taxonomy: one TOML file the team owns (``cio-catalog.toml``) naming every event with its data fields
and every person attribute with its type. Read by the lint rules (CIO7xx), the generated typed client and the
runtime client. Standard library only: the runtime imports it too.

    [events.order_completed]
    description = "An order was paid"
    data.order_id = { type = "string", required = true }
    data.total = "number"

    [attributes]
    email = "string"
    created_at = "timestamp"

    [pipelines.events."Order Completed"]      # Data Pipelines (customerio.analytics) events, if used
    data.order_id = "string"
"""
from __future__ import annotations

import difflib
import os
import re
from datetime import date, datetime
from pathlib import Path

from . import tomlfile
from .frozen import field, frozen


DEFAULT_PATH = "cio-catalog.toml"
TYPES = {
    "string": (str,), "number": (int, float), "integer": (int,), "boolean": (bool,),
    "timestamp": (int, float, datetime, date), "object": (dict,), "list": (list, tuple), "any": (object,),
}


class CatalogError(ValueError):
    """A malformed catalog: the message says file, line and key."""


@frozen
class Field:
    """A declared data key or attribute: its type (checked against literals) and whether the event requires it."""

    name: str
    type: str = "any"
    required: bool = False
    description: str = ""

    def accepts(self, value) -> bool:
        if isinstance(value, bool) and self.type in ("number", "integer", "timestamp"):
            return False
        return isinstance(value, TYPES[self.type])


@frozen
class Event:
    """A catalogued event and the data keys it declares."""

    name: str
    fields: dict[str, Field] = field(default_factory=dict)
    description: str = ""

    @property
    def required(self) -> list[str]:
        return [name for name, f in self.fields.items() if f.required]


@frozen
class Catalog:
    """The team's event catalog (``cio-catalog.toml``): Track events, Data Pipelines events and attributes."""

    path: str
    events: dict[str, Event]
    attributes: dict[str, Field]
    pipelines_events: dict[str, Event] | None  # None: the catalog says nothing about Data Pipelines

    def suggest(self, name: str, candidates) -> str | None:
        """The closest known name, for "did you mean"."""
        matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
        if not matches:
            folded = {re.sub(r"[^a-z0-9]", "", c.lower()): c for c in candidates}
            return folded.get(re.sub(r"[^a-z0-9]", "", name.lower()))
        return matches[0]


_CACHE: dict[tuple, Catalog] = {}


def load(path: str | os.PathLike) -> Catalog:
    """Parse and check a catalog (cached while the file is unchanged)."""
    path = Path(path)
    try:
        stat = path.stat()
        text = path.read_text("utf-8")
    except OSError as error:
        raise CatalogError(f"{os.path.abspath(path)}: cannot read the catalog: {error.strerror}") from None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE[key] = parse(text, str(path))
    return _CACHE[key]


def parse(text: str, path: str = DEFAULT_PATH) -> Catalog:
    try:
        data = tomlfile.loads(text)
    except ValueError as error:
        raise CatalogError(f"{path}: {error}") from None
    where = _Locator(text, path)
    unknown = set(data) - {"events", "attributes", "pipelines"}
    if unknown:
        raise where.error(sorted(unknown)[0], "unknown section; expected events, attributes, pipelines")
    events = _events(data.get("events", {}), where, "events")
    attributes = {name: _field(name, spec, where, f"attributes.{name}")
                  for name, spec in _table(data.get("attributes", {}), where, "attributes").items()}
    pipelines = data.get("pipelines")
    pipeline_events = None
    if pipelines is not None:
        pipeline_events = _events(_table(pipelines, where, "pipelines").get("events", {}), where, "pipelines.events")
    return Catalog(path, events, attributes, pipeline_events)


def _events(table, where: "_Locator", prefix: str) -> dict[str, Event]:
    events = {}
    for name, spec in _table(table, where, prefix).items():
        spec = _table(spec, where, f"{prefix}.{name}")
        extra = set(spec) - {"description", "data"}
        if extra:
            raise where.error(sorted(extra)[0], f"unknown key in event {name!r}; expected description, data")
        data = _table(spec.get("data", {}), where, f"{prefix}.{name}.data")
        fields = {key: _field(key, value, where, f"{prefix}.{name}.data.{key}") for key, value in data.items()}
        events[name] = Event(name, fields, str(spec.get("description", "")))
    return events


def _field(name: str, spec, where: "_Locator", key: str) -> Field:
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, dict):
        raise where.error(key, 'expected a type name or a table such as { type = "string", required = true }')
    extra = set(spec) - {"type", "required", "description"}
    if extra:
        raise where.error(key, f"unknown key {sorted(extra)[0]!r}; expected type, required, description")
    kind = spec.get("type", "any")
    if kind not in TYPES:
        raise where.error(key, f"unknown type {kind!r}; expected one of {', '.join(TYPES)}")
    if not isinstance(spec.get("required", False), bool):
        raise where.error(key, "required must be true or false")
    return Field(name, kind, spec.get("required", False), str(spec.get("description", "")))


def _table(value, where: "_Locator", key: str) -> dict:
    if not isinstance(value, dict):
        raise where.error(key, "expected a table")
    return value


class _Locator:
    """Line numbers for keys (tomllib gives none once parsed): the line that defines the key's last part."""

    def __init__(self, text: str, path: str):
        self.lines = text.splitlines()
        self.path = path

    def error(self, key: str, message: str) -> CatalogError:
        last = key.rsplit(".", 1)[-1]
        pattern = re.compile(rf'(^|[.\s\["]){re.escape(last)}("?\s*[=\]]|"?\.)')
        line = next((n for n, text in enumerate(self.lines, 1) if pattern.search(text.split("#", 1)[0])), 1)
        return CatalogError(f"{self.path}:{line}: {key}: {message}")


def find_checked(option: str | None) -> Path | None:
    """find(), and the catalog found loads: the tools call it before checking any file, so that a malformed
    ./cio-catalog.toml, which no option names, is one clear error there rather than one on every file."""
    found = find(option)
    if found is not None:
        load(found)
    return found


def find(option: str | None, directory: Path | None = None) -> Path | None:
    """The catalog to use: the configured path, else cio-catalog.toml if the directory has one, else None."""
    if option:
        return Path(option)
    default = Path(DEFAULT_PATH) if directory is None else directory / DEFAULT_PATH
    return default if default.is_file() else None
