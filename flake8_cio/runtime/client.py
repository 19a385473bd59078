"""The runtime client: a drop-in for ``customerio.CustomerIO`` whose calls validate, encode, enqueue and return in
microseconds, while background threads journal, batch, rate-limit and deliver.

The official client (``customerio`` 3.x) is the oracle (tests/runtime/test_differential.py): a call it accepts is
accepted here and sends the same fields and values; a call it refuses raises here too, what it raises and nothing
more (``errors.Refused``): an ``InvalidCall`` (a ``CustomerIOException``) for blank ids, values JSON cannot carry
(infinity, a Decimal, a date, a datetime in a tuple, circular or too deep data) and a ``bytes`` id; an
``AttributeError`` for event data that is no mapping; a ``UnicodeEncodeError`` for an id with a lone surrogate.
What the official client would send but Customer.io refuses (over its limits, an empty name) is rejected alone:
counted, logged and reported to ``on_error``, never raised. Bad options raise ValueError at construction.
"""
from __future__ import annotations

import atexit
import base64
import functools
import hashlib
import json
import math
import multiprocessing.util
import os
import re
import signal
import threading
import time
import weakref
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple, TypeVar
from urllib.parse import urlsplit

from .. import catalog
from .delivery import Counters, Settings, Worker, log
from .errors import InvalidCall, InvalidData, InvalidText
from .journal import Intake, dead_journals
from .policy import PAIRS, client_part, epoch_unit, time_text, ulid
from .spool import OVERFLOW_POLICIES, FallbackSpool, Limits, RedisSpool, SQLiteSpool, Store, require_redis
from .transport import Transport

TRACK_URLS = {"us": "https://track.customer.io", "eu": "https://track-eu.customer.io"}
APP_URLS = {"us": "https://api.customer.io", "eu": "https://api-eu.customer.io"}
USER_AGENT = "flake8-cio-runtime/0.1"

# Track API limits (docs.customer.io/journeys/invalid-api-requests)
MAX_ID_BYTES = 150
MAX_ATTRIBUTE_NAME_BYTES = 150
MAX_ATTRIBUTE_VALUE_BYTES = 1000
PLATFORMS = ("ios", "android")  # what the Track API takes for a device
MAX_ATTRIBUTES = 300
MAX_EVENT_NAME_BYTES = 100
MAX_OPERATION_BYTES = 32_000  # per v2 batch operation; it also keeps event data well under its 100 kB limit
NAME_CHARS = MAX_ATTRIBUTE_NAME_BYTES // 4  # an attribute name this long is within the limit, whatever its characters
FAST_DATA_BYTES = MAX_OPERATION_BYTES - 2_000  # track()'s one pass leaves data near the limit to the general path
#: a customer id track()'s one pass writes as it is: printable ASCII within the limit, the first not a space, none
#: that JSON escapes (" and \), no @ (an email: see _email_guard and identifiers), not a cio_id
_PLAIN_ID = re.compile(rf'(?!cio_)[!#-?A-\[\]-~][ !#-?A-\[\]-~]{{0,{MAX_ID_BYTES - 1}}}').fullmatch

EVENT_ACTIONS = ("event", "page", "screen")
V2_ACTIONS = {  # Track API v2 operation types and their actions
    "person": {"identify", *EVENT_ACTIONS, "delete", "suppress", "unsuppress", "add_device", "delete_device",
               "add_relationships", "delete_relationships", "merge"},
    "object": {"identify", "identify_anonymous", "delete", "add_relationships", "delete_relationships"},
}
STAMPED_ACTIONS = ("identify",) + EVENT_ACTIONS
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
ULID = re.compile(r"^[0-7][0-9A-HJKMNP-TV-Z]{25}$")


def _flag(value: Any) -> bool:
    text = str(value).strip().lower()
    if text not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise ValueError(value)
    return text in ("1", "true", "yes", "on")


def _number(value: Any) -> float:
    """A finite number (NaN would make every comparison false: a worker spinning, or every send failing)."""
    if isinstance(value, bool):
        raise ValueError(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _count(value: Any) -> int:
    """A whole number: 2.7 is a mistake to report, not to truncate."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _number(value)
    if number != int(number):
        raise ValueError(value)
    return int(number)


_KINDS = {_flag: "flag (true/false)", _number: "finite number", _count: "whole number", str: "string"}

#: option name -> (environment variable, type, default)
OPTIONS: Dict[str, Tuple[str, Callable[[Any], Any], Any]] = {
    "track_url": ("CUSTOMERIO_TRACK_URL", str, None),
    "spool": ("CUSTOMERIO_SPOOL", str, None),
    "durable": ("CUSTOMERIO_DURABLE", str, "batch"),
    "batch_size": ("CUSTOMERIO_BATCH_SIZE", _count, 10_000),  # a cap: batches are sized by bytes (500 kB)
    "flush_interval": ("CUSTOMERIO_FLUSH_INTERVAL", _number, 0.5),
    "max_queue": ("CUSTOMERIO_MAX_QUEUE", _count, 10_000),
    "rate_limit": ("CUSTOMERIO_RATE_LIMIT", _number, 100.0),
    "retry_budget": ("CUSTOMERIO_RETRY_BUDGET", _count, 5),
    "timeout": ("CUSTOMERIO_TIMEOUT", _number, 5.0),
    "shutdown_timeout": ("CUSTOMERIO_SHUTDOWN_TIMEOUT", _number, 5.0),
    "breaker_cooldown": ("CUSTOMERIO_BREAKER_COOLDOWN", _number, 30.0),
    "max_backoff": ("CUSTOMERIO_MAX_BACKOFF", _number, 60.0),
    "dedupe_window": ("CUSTOMERIO_DEDUPE_WINDOW", _number, 0.0),
    "email_identifiers": ("CUSTOMERIO_EMAIL_IDENTIFIERS", _flag, False),
    "spool_max_bytes": ("CUSTOMERIO_SPOOL_MAX_BYTES", _count, 512 * 2**20),
    "spool_max_age": ("CUSTOMERIO_SPOOL_MAX_AGE", _number, 7 * 86400.0),
    "spool_overflow": ("CUSTOMERIO_SPOOL_OVERFLOW", str, "drop_oldest"),
    "spool_lease": ("CUSTOMERIO_SPOOL_LEASE", _number, 120.0),
    "dead_letter_max_bytes": ("CUSTOMERIO_DEAD_LETTER_MAX_BYTES", _count, 10 * 2**20),
    "dead_letter_max_age": ("CUSTOMERIO_DEAD_LETTER_MAX_AGE", _number, 7 * 86400.0),
    "catalog": ("CUSTOMERIO_CATALOG", str, None),
    "catalog_mode": ("CUSTOMERIO_CATALOG_MODE", str, "warn"),
}
CHOICES = {"durable": ("batch", "sync", "never"), "spool_overflow": OVERFLOW_POLICIES,
           "catalog_mode": ("warn", "drop", "strict")}

F = TypeVar("F", bound=Callable[..., None])


def resolve_options(options: Mapping[str, Any]) -> Dict[str, Any]:
    """Each option from the call, else its environment variable, else the default; a bad value is a ValueError
    naming the option (or the variable) it came from."""
    unknown = set(options) - set(OPTIONS) - {"secondary", "on_error"}
    if unknown:
        raise ValueError(f"unknown runtime option(s) {sorted(unknown)}; known: {sorted(OPTIONS)}")
    resolved: Dict[str, Any] = {}
    for name, (env, kind, default) in OPTIONS.items():
        raw = options.get(name)
        source = name
        if raw is None and os.environ.get(env):
            raw, source = os.environ[env], env
        if raw is None:
            resolved[name] = default
            continue
        try:
            value = kind(raw)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{source}={raw!r} is not a valid {_KINDS[kind]}") from None
        if kind in (_number, _count) and (value < 0 or (value == 0 and name != "dedupe_window")):
            raise ValueError(f"{source}={raw!r} must be greater than 0")
        if name in CHOICES and value not in CHOICES[name]:
            raise ValueError(f"{source}={raw!r} is not one of {', '.join(CHOICES[name])}")
        resolved[name] = value
    return resolved


def region_name(region: Any) -> str:
    """'us'/'eu' from a string or a ``customerio.Regions`` value."""
    given = getattr(region, "name", region)
    source = "region" if given else "CUSTOMERIO_REGION"
    raw = given or os.environ.get("CUSTOMERIO_REGION") or "us"
    name = str(raw).strip().lower()
    if name not in TRACK_URLS:
        raise ValueError(f"{source} {raw!r} is not one of us, eu")
    return name


class _FromEnvironment:
    """The default of a client's credentials: read from the environment. A value the call passes, None included
    (a tenant's empty column, ``os.environ.get`` of a missing variable), is the call's own: missing, it fails as
    the official client fails, and never borrows another workspace's credentials."""

    def __repr__(self) -> str:
        return "FROM_ENVIRONMENT"


FROM_ENVIRONMENT: Any = _FromEnvironment()


def required(value: Any, what: str, env: str) -> str:
    """A credential from the call, else (only when the call passes none) from the environment; missing or blank,
    an InvalidCall, as the official client fails on it (a CustomerIOException)."""
    if value is FROM_ENVIRONMENT:
        value = os.environ.get(env)
        if not value:
            raise InvalidCall(f"missing Customer.io {what}: pass it or set {env}")
    if value is None or not str(value).strip():
        raise InvalidCall(f"missing Customer.io {what} (the call passes it: the environment's is not used)")
    return str(value)


def credentials(site_id: Any, api_key: Any) -> Tuple[str, str]:
    """(site id, API key): both from the call when it passes either (a tenant's credentials never mix with the
    environment's, and never fall back to another workspace's), else both from the environment."""
    if site_id is FROM_ENVIRONMENT and api_key is FROM_ENVIRONMENT:
        return (required(site_id, "site id", "CUSTOMERIO_SITE_ID"),
                required(api_key, "Track API key", "CUSTOMERIO_TRACK_API_KEY"))
    return (required(None if site_id is FROM_ENVIRONMENT else site_id, "site id", "CUSTOMERIO_SITE_ID"),
            required(None if api_key is FROM_ENVIRONMENT else api_key, "Track API key", "CUSTOMERIO_TRACK_API_KEY"))


def _seconds_of(value: datetime) -> int:
    """Unix seconds as the official client sends a datetime: truncated, naive = UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


def _json_default(value: Any) -> Any:
    """Nothing JSON lacks is sent: a datetime is Unix seconds only where the official client converts it (in dicts
    and lists, ``_sanitized``); inside a tuple it fails there too."""
    raise TypeError(f"a {type(value).__name__} value cannot be sent as JSON")


_STRICT = json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_json_default)


def _fast_encoder() -> Optional[Callable[[Any, int], Sequence[str]]]:
    """The C encoder that json.dumps() builds on every call, built once (it halves the cost of a track() call);
    None where the json module has none or builds it differently (its signature is the same from 3.10 to 3.13).
    It skips the circular-reference check: a cycle ends in RecursionError, and the strict encoder then says so."""
    try:
        return json.encoder.c_make_encoder(  # type: ignore[attr-defined,no-any-return]
            None, _json_default, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, False)
    except (AttributeError, TypeError):
        return None


_FAST = _fast_encoder()
_quote = json.encoder.encode_basestring_ascii  # a str's JSON, as _FAST writes strings
_NO_DATA = ("{}",)  # track()'s attributes without data, as _FAST gives the text of {}


def encode(op: Any) -> str:
    """JSON as the API takes it and the official client sends it: ASCII (its encoder's default; a lone surrogate
    is a \\u escape too), NaN becomes null, a datetime Unix seconds; what it cannot send raises InvalidCall naming
    the field, at the call."""
    if _FAST:
        try:
            text, = _FAST(op, 0)  # its text in one piece (ValueError otherwise: the strict encoder joins them)
            return text
        except (ValueError, TypeError, RecursionError):
            pass
    return _strict(op)


def _strict(op: Any) -> str:
    """The slow path: the strict encoder, NaN as null, and an error that says which field is wrong."""
    try:
        return _STRICT.encode(_sanitized(op, ()))
    except (ValueError, TypeError, RecursionError) as error:
        raise InvalidCall(f"{_where(op)} cannot be sent as JSON ({_why(error)})") from None


def _why(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return "NaN and infinity are not JSON" if "Out of range" in str(error) else str(error)


def _where(value: Any, path: str = "", depth: int = 0, in_tuple: bool = False) -> str:
    """The path of the first value JSON cannot carry, e.g. ``attributes.price`` (for the error message)."""
    if depth > 200:  # the path so far, shortened: a cycle or a deep nest repeats itself
        return f"{path.lstrip('.')[:60]}..." if path else "data"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return f"{path}.{key!r}".lstrip(".")
            found = _where(item, f"{path}.{key}", depth + 1)
            if found:
                return found
        return ""
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _where(item, f"{path}[{index}]", depth + 1, in_tuple or isinstance(value, tuple))
            if found:
                return found
        return ""
    if isinstance(value, float) and value in (math.inf, -math.inf) or in_tuple and value != value:
        return path.lstrip(".") or "a value"
    ok = value is None or isinstance(value, (str, int, float)) or isinstance(value, datetime) and not in_tuple
    return "" if ok else (path.lstrip(".") or "a value") + f" (a {type(value).__name__})"


def _sanitized(value: Any, path: Tuple[int, ...]) -> Any:
    """The official client's ``_sanitize``: a datetime as Unix seconds and NaN as null, in dicts and lists only (in
    a tuple they stay, and its JSON fails on them); a cycle is an InvalidCall."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, datetime):
        return _seconds_of(value)
    if isinstance(value, (dict, list)):
        if id(value) in path or len(path) > 500:
            raise InvalidCall("data refers to itself or is nested too deeply: it cannot be sent")
        inner = path + (id(value),)
        if isinstance(value, dict):
            return {k: _sanitized(v, inner) for k, v in value.items()}
        return [_sanitized(v, inner) for v in value]
    return value


def _none_blank(method: str, *named: Tuple[Any, str]) -> None:
    """The official client's first checks, in its order, before any id is encoded: each one given (0 is an id)."""
    for value, what in named:
        if value is None or value == "":
            raise InvalidCall(f"{what} cannot be blank in {method}")


def _check_id(value: Any, what: str) -> str:
    """A path id as the official client takes it: None and "" are blank (0 is an id), anything else is str()ed;
    a ``bytes`` id (the official client would send "b'...'") or one with a lone surrogate (it raises) is refused."""
    if value is None or value == "":
        raise InvalidCall(f"{what} cannot be blank")
    if isinstance(value, (bytes, bytearray)):
        raise InvalidCall(f"{what} is bytes: decode it first (it would be sent as {str(value)!r})")
    text = value if type(value) is str else str(value)
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            raise InvalidText(f"{what} holds a lone surrogate, which cannot be sent", text) from None
    return text


def _body_id(value: Any) -> Any:
    """An id the official client sends in the body (a device token, merge ids): str()ed, as v2 wants strings;
    bytes are left for encode() to refuse, as the official client's JSON does."""
    return value if isinstance(value, (str, bytes, bytearray)) else str(value)


def identifiers(customer_id: str, by_email: bool) -> Dict[str, str]:
    """v2 wants the identifier type said. ``cio_x`` is a cio_id, as on the v1 path; an email-shaped id is an
    ``email`` only when the workspace uses email as an identifier (`email_identifiers`): v2 refuses an email
    identifier elsewhere, while an ``id`` that looks like an email is valid everywhere."""
    if customer_id.startswith("cio_"):
        return {"cio_id": customer_id[4:]}
    if by_email and "@" in customer_id and EMAIL.match(customer_id):
        return {"email": customer_id}
    return {"id": customer_id}


def _event_timestamp(value: Any) -> Any:
    """A track() timestamp as the official client sends it: a datetime as Unix seconds, an int as it is, anything
    else through int(), or left out when that fails (None: absent)."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return _seconds_of(value)
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError):
        return None


def _seconds_field(value: Any, what: str) -> Any:
    """A timestamp field as Customer.io takes it, whole Unix seconds (a datetime converted as the official client
    converts it, a float truncated); a number in another unit is rejected alone (OverLimit: reported). Anything
    else (None, a string, a bool) goes as the official client sends it: the API judges it, and a refusal is
    reported then; the call is never dropped for it."""
    if isinstance(value, datetime):
        return _seconds_of(value)
    if isinstance(value, float) and math.isinf(value):  # the official client's JSON refuses it
        raise InvalidCall(f"{what} is infinite: it cannot be sent as JSON")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        if 0 <= int(value) < 10**11:  # truncated first, as what Customer.io reads of -0.5 is 0
            return int(value)
        unit = epoch_unit(value)
        hint = f": it looks like {unit} (flake8-cio CIO101)" if unit else ""
        raise OverLimit(f"{what} {value!r} is not Unix seconds{hint}")
    return value


def _size(value: Any) -> int:
    """Bytes of a value's JSON, roughly and without raising (a value JSON cannot carry fails at encode())."""
    if isinstance(value, str):
        return len(value) if len(value) <= MAX_ATTRIBUTE_VALUE_BYTES // 4 else len(value.encode(errors="replace"))
    if isinstance(value, (dict, list)):
        try:
            return len(encode(value))
        except InvalidCall:
            return 0
    return 0


def _limit_text(value: Any, what: str, max_bytes: Optional[int]) -> None:
    if type(value) is str and 0 < len(value) <= (max_bytes or 1 << 62) // 4 and not value[0].isspace():
        return  # the common case, without a call to strip() or encode()
    text = value if isinstance(value, str) else str(value)
    if not text.strip():
        raise OverLimit(f"{what} is blank: Customer.io refuses it")
    if max_bytes and len(text) > max_bytes // 4 and len(text.encode(errors="surrogatepass")) > max_bytes:
        raise OverLimit(f"{what} is over {max_bytes} bytes")


def _seconds_in(fields: Dict[str, Any], key: str) -> bool:
    """Make fields[key], when present, whole Unix seconds (see _seconds_field); whether it changed."""
    value = fields.get(key)
    if value is None and key not in fields or type(value) is int and 0 <= value < 10**11:
        return False
    fields[key] = _seconds_field(value, key)
    return fields[key] is not value


def _limits(op: Dict[str, Any]) -> bool:
    """Customer.io's published contract (flake8_cio.runtime.testing) for what the official client would send and
    the API refuse: OverLimit names the first problem (the call is rejected alone and reported); timestamp fields
    become whole seconds. Checked after encode(), so that what the official client raises on raises first. Whether
    a field changed (the caller encodes again)."""
    if "v1" in op:  # an anonymous event
        return _event_limits(op["v1"]["body"])
    action = op.get("action")
    if action == "event" and _plain_event(op):
        return False
    for side in ("primary", "secondary") if action == "merge" else ("identifiers",):
        ids = op.get(side)
        for kind, value in ids.items() if isinstance(ids, dict) else ():
            _limit_text(value, side, MAX_ID_BYTES)
    if action in EVENT_ACTIONS:
        return _event_limits(op)
    if action == "identify":
        return _profile_limits(op)
    device = op.get("device")
    if not isinstance(device, dict):
        return False
    _limit_text(device.get("token"), "device.token", None)
    if action == "add_device" and device.get("platform") not in PLATFORMS:
        raise OverLimit(f"device platform {device.get('platform')!r} is not one of {', '.join(PLATFORMS)}: "
                        "Customer.io refuses the device")
    return _seconds_in(device, "last_used")


def _plain_event(op: Dict[str, Any]) -> bool:
    """The common event, checked in one expression: a short id and name, no caller's event id, seconds."""
    ids, name, stamp = op["identifiers"], op["name"], op.get("timestamp")
    value = ids.get("id")
    return (len(ids) == 1 and type(value) is str and 0 < len(value) <= MAX_ID_BYTES // 4 and not value[0].isspace()
            and type(name) is str and 0 < len(name) <= MAX_EVENT_NAME_BYTES // 4 and not name[0].isspace()
            and "id" not in op and type(stamp) is int and 0 <= stamp < 10**11)


def _event_limits(fields: Dict[str, Any]) -> bool:
    name = fields.get("name")
    _limit_text("" if name is None else name, "event name", MAX_EVENT_NAME_BYTES)
    event_id = fields.get("id")
    if event_id is not None and not (isinstance(event_id, str) and ULID.match(event_id.upper())):
        raise OverLimit("an event id that is not a ULID: Customer.io refuses it (and de-duplicates by it)")
    return _seconds_in(fields, "timestamp")


def _profile_limits(op: Dict[str, Any]) -> bool:
    attributes = op.get("attributes")
    if not isinstance(attributes, dict):
        return _seconds_in(op, "timestamp")
    if len(attributes) > MAX_ATTRIBUTES:
        raise OverLimit(f"{len(attributes)} attributes in one call; the limit is {MAX_ATTRIBUTES}")
    for key, value in attributes.items():
        if len(str(key).encode(errors="surrogatepass")) > MAX_ATTRIBUTE_NAME_BYTES:
            raise OverLimit(f"an attribute name is over {MAX_ATTRIBUTE_NAME_BYTES} bytes")
        if _size(value) > MAX_ATTRIBUTE_VALUE_BYTES:
            raise OverLimit(f"the value of attribute {key!r} is over {MAX_ATTRIBUTE_VALUE_BYTES} bytes")
    changed = _seconds_in(attributes, "created_at")
    changed = _seconds_in(attributes, "_timestamp") or changed
    return _seconds_in(op, "timestamp") or changed


def _check_envelope(op: Any) -> None:
    """What a batch() operation must have for Customer.io to read it at all (tests/runtime keep this table equal
    to the contract-checking fake's). The official client sends any operation, so a bad one is rejected alone
    (OverLimit: reported), never raised."""
    if not isinstance(op, dict):
        raise OverLimit(f"a batch operation is a {type(op).__name__}, not a dict")
    kind, action = op.get("type"), op.get("action")
    actions = V2_ACTIONS.get(kind) if isinstance(kind, str) else None
    if actions is None:
        if kind == "delivery":  # documented to exist, its actions are not: passed through
            return
        raise OverLimit(f"operation type {kind!r} is not one of person, object, delivery")
    if not isinstance(action, str) or action not in actions:
        raise OverLimit(f"{action!r} is not a {kind} action ({', '.join(sorted(actions))})")
    if action != "merge":
        ids = op.get("identifiers")
        if not (isinstance(ids, dict) and ids) or any(v is None or v == "" for v in ids.values()):
            raise OverLimit(f"a {kind} {action} operation needs its identifiers")


def fingerprint(text: str) -> str:
    """A short stand-in for a name in logs at INFO and above (names may be personal data)."""
    return hashlib.sha256(text.encode(errors="surrogatepass")).hexdigest()[:8]


class OverLimit(Exception):
    """An operation over the API's documented limits: rejected alone, never sent."""


class _Dropped(Exception):
    """An event the catalog policy dropped (already counted and logged)."""


def _data_problems_not_raised(method: F) -> F:
    """Over-limit or off-catalog data is the data's problem, not the caller's: counted, logged, reported."""
    @functools.wraps(method)
    def wrapper(self: "RuntimeClient", *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        except _Dropped:
            pass
        except OverLimit as error:
            self._reject(method.__name__.lstrip("_"), str(error))
    return wrapper  # type: ignore[return-value]


class RuntimeClient:
    """Drop-in for ``customerio.CustomerIO`` (3.x method names and signatures); methods return None."""

    BATCH_PATH = "/api/v2/batch"

    def __init__(self, site_id: Optional[str] = FROM_ENVIRONMENT, api_key: Optional[str] = FROM_ENVIRONMENT, *,
                 region: Any = None,
                 secondary: Optional["RuntimeClient"] = None,
                 on_error: Optional[Callable[[Dict[Any, str], List[Dict[str, Any]]], Any]] = None,
                 **options: Any) -> None:
        self.site_id, api_key = credentials(site_id, api_key)
        if secondary is not None and not isinstance(secondary, RuntimeClient):
            raise TypeError(f"secondary must be a RuntimeClient (or PipelinesClient), not {type(secondary).__name__}")
        if on_error is not None and not callable(on_error):
            raise TypeError(f"on_error must be callable, not {type(on_error).__name__}")
        self.region = region_name(region)
        self.options = resolve_options(options)
        self._track_url = (self.options["track_url"] or TRACK_URLS[self.region]).rstrip("/")
        token = base64.b64encode(f"{self.site_id}:{api_key}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json",
                         "User-Agent": USER_AGENT}
        self._rewires = type(self).wire is not RuntimeClient.wire
        self._spool_names = self._default_spool_names(api_key)
        self._settings = Settings(**{k: self.options[k] for k in Settings.__dataclass_fields__})
        self._catalog = catalog.load(self.options["catalog"]) if self.options["catalog"] else None
        self._on_error = on_error
        self._secondary = secondary
        self._window = self.options["dedupe_window"]
        self._plain = (_FAST is not None and not self._rewires and self._catalog is None and not self._window
                       and secondary is None)  # what track()'s one pass needs
        self._warned: Set[Any] = set()
        #: event names already checked by _name_guard, each with its part of track()'s one-pass line (None: the
        #: name, or this client, needs the general path)
        self._names_seen: Dict[str, Optional[str]] = {}
        self._closed = False
        self._final_pending: Optional[int] = 0
        self._overflowed_at: Optional[float] = None
        self._reset_after_fork()
        _LIVE.add(self)
        spool = self._spool
        if spool.durable and (not spool.on_disk() or spool.depth() or spool.loans() or
                              dead_journals(*self.journal_place())):
            self._ensure_worker()  # replay what an earlier process left, take over what another may leave; retry
            # a store that did not open (another process holds the file's lock): what it holds is delivered then

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def _default_spool_names(self, api_key: str) -> Tuple[str, str]:
        """(name, the name an older version used). The spool is named by workspace and region, so that a rotated
        or corrected key finds what the old key left. A destination that re-wires operations (Data Pipelines) is
        named by its key: there the key is the workspace."""
        workspace = f"{self.site_id}:{api_key}" if self._rewires else self.site_id
        name = f"spool-{self.region}-{hashlib.sha256(workspace.encode()).hexdigest()[:16]}.sqlite3"
        legacy = f"spool-{hashlib.sha256(f'{self.site_id}:{api_key}'.encode()).hexdigest()[:16]}.sqlite3"
        return name, legacy

    def _reset_after_fork(self) -> None:
        """Fresh queue, locks, spool connection and (lazily) worker for this process: a forked child never
        inherits a dead thread, and drops the parent's queued events (the parent delivers those)."""
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._lifecycle = threading.Lock()  # close() and the end of idle() one at a time
        self._idling = threading.Lock()
        self._dedupe_lock = threading.Lock()
        self.counters = Counters()  # the child counts its own events (the parent reports the parent's)
        self._id_part = client_part()  # with the time and the accepted count, track()'s event ids
        #: (the millisecond's start and end in seconds, the line's text before and after the serial, its second)
        self._stamp: Tuple[float, float, str, str, int] = (0.0, 0.0, "", "", -1)
        self._recent: "OrderedDict[Any, float]" = OrderedDict()
        self._spool = self._open_spool()
        inherited: Optional[Intake] = getattr(self, "_intake", None)
        if inherited is not None:
            inherited.close_inherited()
        folder, base = self.journal_place()
        self._intake = Intake(folder, base, self.options["durable"], self.options["max_queue"], self._unjournaled,
                              self._wake_journal)
        self._worker: Optional[Worker] = None

    def journal_place(self) -> Tuple[Optional[Path], str]:
        """(folder, name prefix) of this client's journals: beside the SQLite file, in the cache folder for Redis;
        no folder (memory only) with spool="none"."""
        setting = self.options["spool"] or ""
        if setting.lower() == "none":
            return None, ""
        if setting.startswith(("redis://", "rediss://", "unix://")):
            return _private(_cache_dir()), self._spool_names[0][:-8] + ".redis"
        path = Path(setting) if setting else _private(_cache_dir()) / self._spool_names[0]
        return path.parent, path.name

    def _unjournaled(self, kept: int) -> None:
        """An operation the journal could not take now: kept in memory (1) or, past max_queue, dropped (0)."""
        self.counters.add("unjournaled" if kept else "overflowed")
        if not kept:
            self._overflowed_at = time.monotonic()

    def _wake_journal(self) -> None:
        worker = self._worker
        if worker is not None:
            worker.journal_wake.set()

    @property
    def spool(self) -> FallbackSpool:
        return self._spool

    @property
    def intake(self) -> Intake:
        return self._intake

    @property
    def closed(self) -> bool:
        return self._closed

    def _overflowed(self, count: int) -> None:
        self.counters.add("overflowed", count)
        self._overflowed_at = time.monotonic()

    def _open_spool(self) -> FallbackSpool:
        """The spool the setting names, behind its memory fallback: a store that cannot be opened (an unusable
        file, Redis unreachable) is retried every breaker_cooldown, the setting that already says how soon to try
        a failed dependency again; a missing redis-py is a deployment error, raised (ImportError) at once."""
        o = self.options
        limits = Limits(o["spool_max_bytes"], o["spool_max_age"], o["spool_overflow"], o["dead_letter_max_bytes"],
                        o["dead_letter_max_age"], on_overflow=self._overflowed, lease=o["spool_lease"])
        setting = o["spool"]
        opener: Optional[Callable[[], Store]] = None
        if setting and setting.lower() == "none":
            label = "memory spool"
        elif setting and setting.startswith(("redis://", "rediss://", "unix://")):
            require_redis()
            key = f"flake8-cio:spool:{self._spool_names[0][6:-8]}"
            label = f"Redis spool {_without_password(setting)}"
            opener = functools.partial(RedisSpool, setting, key, limits)
        else:
            path = Path(setting) if setting else _private(_cache_dir()) / self._spool_names[0]
            label = f"spool {path}"
            opener = functools.partial(self._open_sqlite, path, limits)
        return FallbackSpool(opener, o["breaker_cooldown"], label, self._overflowed)

    def _open_sqlite(self, path: Path, limits: Limits) -> SQLiteSpool:
        """The SQLite spool; the first time the default file opens, it adopts a file of an older name."""
        spool = SQLiteSpool(path, limits)
        legacy = path.with_name(self._spool_names[1])
        if not self.options["spool"] and legacy.exists():
            try:
                moved = spool.adopt(legacy)
                if moved:  # (0: a sibling process moved them first)
                    log.info("flake8-cio runtime: replaying %d events from %s", moved, legacy.name)
            except Exception as error:
                log.error("flake8-cio runtime: could not replay the older spool %s (%r)", legacy, error)
        return spool

    def _ensure_worker(self) -> Worker:
        if self._pid != os.getpid():  # a fork that bypassed os.register_at_fork
            self._reset_after_fork()
        worker = self._worker
        if worker is None:
            with self._lock:
                if self._spool.closed and not self._closed:  # idled: reopen
                    self._spool = self._open_spool()
                if self._worker is None:
                    transport = Transport(self._track_url, self._headers, self.options["timeout"])
                    self._worker = Worker(self, self._settings, transport, self.BATCH_PATH)
                    _install_exit_hooks()
                worker = self._worker
            _bound_active(self)
        return worker

    def outstanding(self) -> Dict[str, Optional[int]]:
        """What of this process's accepted events is not settled yet, and where: operations in memory, bytes of
        the journal not in the spool yet, entries of ours in the spool (None: the spool cannot be read now), and
        events lost (overflowed: counted and logged when it happened)."""
        intake = self.intake
        return {"memory": len(intake.queue), "journal_bytes": intake.unread(), "spool": self._spool.pending(),
                "lost": self.counters.get("overflowed")}

    def _settled(self) -> bool:
        """Nothing in memory or unread in the journal, nothing in the journal thread's hands, nothing on loan to
        a request (checked in this order), no dead process's journal left to replay, nothing of ours in the
        spool, read now; nothing lost."""
        worker, intake = self._worker, self.intake
        return (not intake.queue and not intake.unread() and not (worker and worker.journal_lock.locked())
                and not intake.on_loan and not (worker and worker.replaying()) and self._spool.pending() == 0
                and not self.counters.get("overflowed"))

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait until every event this process accepted is delivered or settled as rejected (reported); False
        on timeout, while the circuit breaker is open, or when any was lost (outstanding() says what is left and
        where). Never waits longer than `timeout` (default: shutdown_timeout)."""
        if self._closed:
            return self._final_pending == 0
        settled = self._wait(self._deadline(timeout), give_up_when_open=True)
        if not settled:
            log.info("flake8-cio runtime: flush() gave up with events outstanding: %s", self.outstanding())
        return settled

    def _deadline(self, timeout: Optional[float]) -> float:
        return time.monotonic() + (self.options["shutdown_timeout"] if timeout is None else timeout)

    def _wait(self, deadline: float, give_up_when_open: bool) -> bool:
        worker = self._ensure_worker()
        while time.monotonic() < deadline:
            if self._closed:  # by another thread (idle() waits here while close() may run)
                return self._final_pending == 0
            if give_up_when_open and worker.breaker.state == "open":
                return False
            if self._settled():
                return True
            worker.wake()
            time.sleep(0.005)
        return self._settled()

    def close(self, timeout: Optional[float] = None) -> bool:
        """Deliver what can be delivered within `timeout`, probing an open circuit at least every second until
        then; leave the rest in the spool. One deadline for everything, shared with the secondary, whose worker
        delivers at the same time. Idempotent."""
        deadline = self._deadline(timeout)
        secondary = [] if self._secondary is None else [(self._secondary, deadline)]
        return close_together([(self, deadline), *secondary])[0]

    def _start_closing(self) -> None:
        """Let the worker deliver with close()'s urgency (probing at least every second) from now on."""
        if not self._closed and (self.intake.queue or self.intake.unread() or self._worker is not None
                                 or self._spool.pending()):
            self._ensure_worker().draining = True

    def _close_by(self, deadline: float) -> bool:
        with self._lifecycle:
            if self._closed:
                return self._final_pending == 0
            worker = self._worker
            delivered = self._wait(deadline, give_up_when_open=False) if worker is not None else self._settled()
            self._closed = True
            if worker is not None:
                worker.stop(max(0.0, deadline - time.monotonic()))
                _logged(lambda: worker.journal(max(0.0, deadline - time.monotonic())))  # what the thread had no
                # time for (an error here must not keep the rest of close() from running)
                if worker.journal_lock.locked():
                    log.warning("flake8-cio runtime: close() stopped waiting for a spool write (is another process "
                                "holding the spool's lock?): the journal keeps it for the next start")
            if self._spool.memory.depth():  # a failed store is tried once more: memory would be lost
                self._spool.maintain(now=True)
            stuck = worker is not None and worker.journal_lock.locked()
            journal_kept = self.intake.finish(None if stuck else self._spool)
            self._final_pending = left = self._spool.pending()
            lost = len(self.intake.queue) + (0 if journal_kept else self._spool.memory.depth())
            if left or lost:
                log.warning("flake8-cio runtime: closing with %s of this process's events undelivered (%s)", left,
                            f"{lost} LOST: held in memory only" if lost else "kept for the next start")
            self.counters.add("dropped", lost)
            self._spool.close()
            _LIVE.discard(self)
            return delivered and not lost

    def idle(self, timeout: Optional[float] = None) -> None:
        """Deliver what can be within `timeout`, then stop the worker threads and close the spool file; the next
        call reopens both. What happens to the least recently active of too many clients (MAX_ACTIVE_CLIENTS)."""
        if self._closed or self._worker is None or not self._idling.acquire(blocking=False):
            return
        try:
            self._wait(self._deadline(timeout), give_up_when_open=True)
            with self._lifecycle:
                if self._closed:
                    return
                with self._lock:
                    worker, self._worker = self._worker, None
                if worker is None:
                    return
                worker.stop(0.5)
                for thread in worker.threads:  # a send still in flight uses the spool: let it end first
                    thread.join(IDLE_JOIN_SECONDS)
                worker.journal()
                if any(t.is_alive() for t in worker.threads):
                    return
                if not self._spool.durable:  # a file in memory: what it still has waits in the queue, its pages freed
                    self.intake.finish(None, reopen=True)
                elif not self._spool.memory.depth():
                    self.intake.finish(self._spool, reopen=True)
                    self._spool.close()  # its figures still answer health()
        finally:
            self._idling.release()

    def journal_now(self) -> None:
        """Journal what callers queued, now (interpreter exit, SIGTERM)."""
        worker = self._worker
        if worker is not None and self._pid == os.getpid():
            worker.journal()

    def __enter__(self) -> "RuntimeClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def health(self) -> Dict[str, Any]:
        """The circuit state, queue and spool depth, how full the spool is against its cap, the counters, the last
        error and, when Customer.io redirected the requests, where to (the region setting is then wrong). Answers
        at once, from figures the worker reads every STATS_EVERY (spool_stats_age says how old they are): it does
        no spool I/O, so a stalled Redis or a locked SQLite file never makes it block or raise."""
        worker, spool = self._worker, self._spool
        moved = worker.transport.moved_to if worker else None
        notice = (f"Customer.io redirected requests to {moved}: set region/CUSTOMERIO_REGION (or track_url) to "
                  "match the workspace" if moved else None)
        since = spool.memory_since
        return {
            "circuit": worker.breaker.state if worker else "closed",
            "queue_depth": len(self.intake.queue),
            "journal_bytes": self.intake.unread(),
            "spool_depth": spool.depth(),
            "spool": spool.kind,
            "spool_fill": round(spool.fill(), 4),
            "spool_stats_age": round(spool.stats_age(), 3),
            "memory_only_since": None if since is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(since)),
            "overflowed_ago": None if self._overflowed_at is None else round(time.monotonic() - self._overflowed_at, 1),
            "counters": self.counters.snapshot(),
            "last_error": spool.error or self.intake.error or (worker.last_error if worker else None) or notice,
            "redirected_to": moved,
            "worker_alive": bool(worker and worker.alive()),
        }

    # -- the official client's methods ---------------------------------------------------------------------------
    def identify(self, id: Any, **kwargs: Any) -> None:
        """The common call in one pass, as track()'s: a plain id (an int's text), attributes the C encoder takes
        whose text is within one value's limit (so is every value) and whose names are short, no timestamp field
        to convert (created_at, _timestamp): the line _admit() makes for that call. Anything else takes the general
        path, which decides."""
        if (type(id) is str and self._plain and "created_at" not in kwargs and "_timestamp" not in kwargs
                and (id.isalnum() and id.isascii() and len(id) <= MAX_ID_BYTES or _PLAIN_ID(id))
                and self._worker is not None and not self._closed):
            try:
                attributes, = _FAST(kwargs, 0)  # type: ignore[misc]
            except (ValueError, TypeError, RecursionError):  # NaN, a datetime, ...: the general path says which
                return self._identify(id, kwargs)
            if len(attributes) <= MAX_ATTRIBUTE_VALUE_BYTES and max(map(len, kwargs), default=0) <= NAME_CHARS:
                now = time.time()
                stamp = self._stamp
                if not stamp[0] <= now < stamp[1]:
                    stamp = self._new_millisecond(now)
                self.counters.accept()
                return self._intake.put(f'{{"type":"person","identifiers":{{"id":"{id}"}},"action":"identify",'
                                        f'"attributes":{attributes},"timestamp":{stamp[4]}}}\n'.encode())
        if type(id) is int:  # str()ed as the official client does: the one pass (not a subclass's identify again)
            return RuntimeClient.identify(self, str(id), **kwargs)
        self._identify(id, kwargs)

    @_data_problems_not_raised
    def _identify(self, id: Any, kwargs: Dict[str, Any]) -> None:
        cid = _check_id(id, "id in identify")
        if self._catalog is not None and self._catalog.attributes:
            for key in kwargs:
                if key not in self._catalog.attributes and \
                        self._off_catalog(("attribute", key), f"attribute {key!r} is not in the event catalog"):
                    return
        self._email_guard(cid)
        op: Dict[str, Any] = {"type": "person", "identifiers": self._identifiers(cid), "action": "identify",
                              "attributes": kwargs}
        if "_timestamp" in kwargs:  # the v1 ordering attribute: v2 orders identifies by the top-level timestamp
            op["timestamp"] = kwargs["_timestamp"]
        self._accept(op)

    def track(self, customer_id: Any, name: Any, data: Optional[Dict[str, Any]] = None, id: Optional[str] = None,
              timestamp: Any = None) -> None:
        """The common call in one pass (the caller's p99 is the budget): a plain customer id (it needs no escaping:
        ASCII letters and digits, two C calls, else _PLAIN_ID, whose regular expression costs three times as many
        instructions; an int's text), a name already checked (_name_guard gives its part of the line), dict data
        that the C encoder takes or no data (the general path's {}: 56,000 instructions a call there, 8,600 here),
        no timestamp or one in whole seconds.
        It writes the line _admit() makes for that call, its id made of a per-millisecond prefix and the client's
        serial (client_part), with one lock-free copy into the journal (Intake.append); anything else (or what
        fails here) takes the general path, which decides. The clock is time.time(), looked up per call
        (a test that sets the clock sets ours), its millisecond told by a range check (no division of an int)."""
        if (id is None and (timestamp is None or type(timestamp) is int and 0 <= timestamp < 10**11)
                and type(customer_id) is str and type(name) is str
                and (type(data) is dict or data is None) and (middle := self._names_seen.get(name)) is not None
                and (customer_id.isalnum() and customer_id.isascii() and len(customer_id) <= MAX_ID_BYTES
                     or _PLAIN_ID(customer_id)) and self._worker is not None and not self._closed):
            try:
                # the encoder's text in one piece (else ValueError, as in encode())
                attributes, = _FAST(data, 0) if data is not None else _NO_DATA  # type: ignore[misc]
            except (ValueError, TypeError, RecursionError):  # NaN, a cycle, ...: the general path says which
                return self._track(customer_id, name, data, id, timestamp)
            if len(attributes) <= FAST_DATA_BYTES:
                now = time.time()
                stamp = self._stamp
                if not stamp[0] <= now < stamp[1]:  # a new millisecond (its call was often among the slowest 1 %)
                    stamp = self._new_millisecond(now)
                tail = stamp[3] if timestamp is None else f'","timestamp":{timestamp}}}\n'  # the caller's second
                n = self.counters.accept()
                line = (f'{{"type":"person","identifiers":{{"id":"{customer_id}"}}{middle}{attributes}'
                        f'{stamp[2]}{PAIRS[n >> 10 & 1023]}{PAIRS[n & 1023]}{tail}').encode()
                try:
                    self._intake.append(line)
                except ValueError:  # the file is full, or was closed meanwhile
                    self._intake.put(line)
                return
        if type(customer_id) is int:  # str()ed as the official client does (Django's ids are ints): the one pass
            return RuntimeClient.track(self, str(customer_id), name, data, id, timestamp)  # (not a subclass's again)
        self._track(customer_id, name, data, id, timestamp)

    def _new_millisecond(self, now: float) -> Tuple[float, float, str, str, int]:
        """The one passes' stamp for the millisecond of `now`: its bounds, the event id's text before the serial,
        the line's end with the second, the second (that text is kept while the second lasts)."""
        ms = int(now * 1000)
        second, last = ms // 1000, self._stamp  # read once: another thread may store its own meanwhile
        tail = last[3] if second == last[4] else f'","timestamp":{second}}}\n'
        stamp = self._stamp = (ms / 1000, (ms + 1) / 1000, f',"id":"{time_text(ms)}{self._id_part}', tail, second)
        return stamp

    @_data_problems_not_raised
    def _track(self, customer_id: Any, name: Any, data: Optional[Dict[str, Any]], id: Optional[str],
               timestamp: Any) -> None:
        cid = _check_id(customer_id, "customer_id in track")
        self._email_guard(cid)
        stamp = timestamp if timestamp is None or type(timestamp) is int else _event_timestamp(timestamp)
        self._accept(self._event(self._identifiers(cid), "event", name, data, id, stamp), event_id=id)

    @_data_problems_not_raised
    def track_anonymous(self, anonymous_id: Any, name: Any, data: Optional[Dict[str, Any]] = None,
                        id: Optional[str] = None, timestamp: Any = None) -> None:
        event = self._event({}, "event", name, data, ulid() if id is None else id, _event_timestamp(timestamp))
        body = {"name": event["name"], "data": event["attributes"], "id": event["id"],
                "timestamp": event.get("timestamp", int(time.time()))}
        if anonymous_id is not None and anonymous_id != "":
            body["anonymous_id"] = anonymous_id
        self._accept({"v1": {"path": "/api/v1/events", "body": body}}, event_id=id)

    @_data_problems_not_raised
    def pageview(self, customer_id: Any, page: Any, **data: Any) -> None:
        cid = _check_id(customer_id, "customer_id in pageview")
        self._accept(self._event(self._identifiers(cid), "page", page, data, None, None))

    @_data_problems_not_raised
    def backfill(self, customer_id: Any, name: Any, timestamp: Any, **data: Any) -> None:
        cid = _check_id(customer_id, "customer_id in backfill")
        if isinstance(timestamp, datetime):
            timestamp = _seconds_of(timestamp)
        elif not isinstance(timestamp, int):
            try:
                timestamp = int(timestamp)
            except Exception as error:  # the official client's words and class
                raise InvalidCall(f"{timestamp} is not a valid timestamp ({error})") from None
        self._accept(self._event(self._identifiers(cid), "event", name, data, None, timestamp))

    @_data_problems_not_raised
    def delete(self, customer_id: Any) -> None:
        self._person_action(customer_id, "delete")

    @_data_problems_not_raised
    def suppress(self, customer_id: Any) -> None:
        self._person_action(customer_id, "suppress")

    @_data_problems_not_raised
    def unsuppress(self, customer_id: Any) -> None:
        self._person_action(customer_id, "unsuppress")

    @_data_problems_not_raised
    def add_device(self, customer_id: Any, device_id: Any, platform: Any, **data: Any) -> None:
        """The official client's device body as a v2 operation: its `id` is the token; `last_used` stays; the
        other keys (and an `attributes` dict) are the device's attributes, values as given."""
        _none_blank("add_device", (customer_id, "customer_id"), (device_id, "device_id"), (platform, "platform"))
        cid = _check_id(customer_id, "customer_id in add_device")
        device: Dict[str, Any] = {"token": _body_id(device_id), "platform": platform}
        data.pop("id", None), data.pop("platform", None)  # the official client overwrites them too
        if "last_used" in data:
            device["last_used"] = data.pop("last_used")
        extra = data.pop("attributes", None)
        attributes = {**extra, **data} if isinstance(extra, dict) else \
            {**data, **({} if extra is None else {"attributes": extra})}
        if attributes:  # v2 types device attributes as strings: other values go as their JSON
            device["attributes"] = {k: v if isinstance(v, str) else encode(v) for k, v in attributes.items()}
        self._accept({"type": "person", "identifiers": self._identifiers(cid), "action": "add_device",
                      "device": device})

    @_data_problems_not_raised
    def delete_device(self, customer_id: Any, device_id: Any) -> None:
        _none_blank("delete_device", (customer_id, "customer_id"), (device_id, "device_id"))
        cid = _check_id(customer_id, "customer_id in delete_device")
        token = _check_id(device_id, "device_id in delete_device")
        self._accept({"type": "person", "identifiers": self._identifiers(cid), "action": "delete_device",
                      "device": {"token": token}})

    @_data_problems_not_raised
    def merge_customers(self, primary_id_type: str, primary_id: Any, secondary_id_type: str,
                        secondary_id: Any) -> None:
        for id_type, which in ((primary_id_type, "primary"), (secondary_id_type, "secondary")):
            if id_type not in ("id", "email", "cio_id"):
                raise InvalidCall(f"invalid {which} id type {id_type!r} in merge_customers: use id, email or cio_id")
        for value, which in ((primary_id, "primary"), (secondary_id, "secondary")):
            if value is None or value == "":
                raise InvalidCall(f"{which} customer_id cannot be blank")
        self._accept({"type": "person", "action": "merge",
                      "primary": {primary_id_type: _body_id(primary_id)},
                      "secondary": {secondary_id_type: _body_id(secondary_id)}})

    @_data_problems_not_raised
    def batch(self, operations: Sequence[Dict[str, Any]]) -> None:
        """Track API v2 operations, queued like the others (each event gets an id and each event or identify
        its acceptance time unless it has them). What the official client cannot send raises before any is
        queued, so a caller who fixes the error and calls again sends nothing twice; an operation Customer.io
        could not read (no type, action or identifiers) is rejected alone and reported."""
        ops = list(operations or ())  # a generator is read once
        if not ops:
            raise InvalidCall("operations cannot be empty in batch")
        for op in ops:
            encode(op)  # what the official client cannot send raises first, before any is queued
        checked, refused = [], []
        for index, op in enumerate(ops):
            try:
                _check_envelope(op)
            except OverLimit as error:
                refused.append(f"operation {index}: {error}")
                continue
            checked.append(dict(op))
        lines, admitted = [], []
        for op in checked:
            try:
                line = self._admit(op, event_id=op.get("id"))
            except OverLimit as error:
                refused.append(str(error))
                continue
            if line is not None:
                lines.append(line)
                admitted.append(op)
        if lines:
            self._intake.put(b"\n".join(lines) + b"\n")  # one write: journaled, and sent, together
        for op in admitted:
            self._to_secondary(op)
        for reason in refused:
            self._reject("batch", reason)

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _identifiers(self, customer_id: str) -> Dict[str, str]:
        if "@" not in customer_id and not customer_id.startswith("cio_"):
            return {"id": customer_id}  # the common case, without a second call
        return identifiers(customer_id, self.options["email_identifiers"])

    def _person_action(self, customer_id: Any, action: str) -> None:
        cid = _check_id(customer_id, f"customer_id in {action}")
        self._accept({"type": "person", "identifiers": self._identifiers(cid), "action": action})

    def _event(self, ids: Dict[str, str], action: str, name: Any, data: Any, event_id: Any,
               timestamp: Any) -> Dict[str, Any]:
        """An event operation with the official client's fields: `data or {}` (a mapping), the id and the
        timestamp as given (None: absent)."""
        data = data or {}
        if not isinstance(data, dict):
            if not hasattr(data, "items"):
                raise InvalidData(f"event data must be a dict, not {type(data).__name__}")
            data = dict(data.items())
        if isinstance(name, (bytes, bytearray)):  # the official client's JSON refuses it; str() would send "b'...'"
            raise InvalidCall(f"the {action} name is bytes: decode it first")
        name = name if name is None or type(name) is str else str(name)  # v2 names are strings
        if name not in self._names_seen:
            self._name_guard(name, action)
        if self._catalog is not None and action == "event" and self._against_catalog(name, data):
            raise _Dropped
        op = {"type": "person", "identifiers": ids, "action": action, "name": name, "attributes": data}
        if event_id is not None:
            op["id"] = event_id
        if timestamp is not None:
            op["timestamp"] = timestamp
        return op

    def _against_catalog(self, name: str, data: Dict[str, Any]) -> bool:
        """True when the event is to be dropped (catalog_mode=drop); raises in strict mode; warns once otherwise."""
        assert self._catalog is not None
        event = self._catalog.events.get(name)
        if event is None:
            return self._off_catalog(("event", name), "event {} is not in the event catalog", name)
        for key in data:
            if key not in event.fields and self._off_catalog(
                    ("data", name, key), f"data key {key!r} of event {{}} is not in the catalog", name):
                return True
        missing = [key for key in event.required if key not in data]
        return bool(missing) and self._off_catalog(("missing", name), f"event {{}} lacks required data {missing}", name)

    def _off_catalog(self, key: Any, template: str, name: Optional[str] = None) -> bool:
        """`template` has a {} for the event name: the name itself in an exception to the caller, its fingerprint
        in the logs."""
        mode = self.options["catalog_mode"]
        if mode == "strict":
            raise ValueError(template.format(repr(name)) + " (catalog_mode=strict)")
        if mode == "drop":
            self.counters.add("dropped")
            self._warn_once(key, template + ": dropped (catalog_mode=drop)", name=name)
            return True
        self._warn_once(key, template, name=name)
        return False

    def _name_guard(self, name: Optional[str], action: str) -> None:
        if name is None:
            return
        if len(self._names_seen) < 10_000:
            fits = self._plain and 0 < len(name) <= MAX_EVENT_NAME_BYTES // 4 and not name[0].isspace()
            self._names_seen[name] = f',"action":"event","name":{_quote(name)},"attributes":' if fits else None
        if action == "event" and not SNAKE.match(name):
            self._warn_once(("name", name), "event name {} is not snake_case (flake8-cio CIO202)", name=name)
        if EMAIL.search(name) or re.search(r"\d{6,}", name):
            self._warn_once(("dynamic", name), "event name {} looks dynamic or personal (flake8-cio CIO201/203)",
                            name=name)

    def _email_guard(self, customer_id: str) -> None:
        if "@" in customer_id and EMAIL.match(customer_id) and ("email-id",) not in self._warned:
            self._warn_once(("email-id",), "an email is used as the customer id (flake8-cio CIO301)")

    def _warn_once(self, key: Any, message: str, name: Optional[str] = None) -> None:
        """A warning once per key. An event name in `message` (its {}) is redacted to a fingerprint; the name
        itself is logged at DEBUG only."""
        if key not in self._warned and len(self._warned) < 10_000:
            self._warned.add(key)
            if name is None:
                log.warning("flake8-cio runtime: %s", message)
                return
            log.warning("flake8-cio runtime: %s", message.format(f"<{fingerprint(name)}>"))
            log.debug("flake8-cio runtime: event name <%s> is %r", fingerprint(name), name)

    def _reject(self, what: str, reason: str) -> None:
        self.counters.add("rejected")
        log.error("flake8-cio runtime: %s: not sent (%s)", what, reason)
        self.report_error({None: reason}, [])

    def _accept(self, op: Dict[str, Any], event_id: Any = None) -> None:
        """Hand an operation to the journal (in the kernel when this returns: see journal.Intake), and to the
        secondary destination."""
        line = self._admit(op, event_id)
        if line is not None:
            self._intake.put(line + b"\n")
            self._to_secondary(op)

    def _admit(self, op: Dict[str, Any], event_id: Any) -> Optional[bytes]:
        """The general path: stamp the acceptance time, encode (InvalidCall here, at the call), drop a repeat of an
        explicit event id (or, with dedupe_window, of the same content), give an event its ULID id; the line to
        journal (None: not to be sent)."""
        if self._closed:  # e.g. a thread still tracking after the interpreter-exit close: refuse, quietly
            self.counters.add("dropped")
            self._warn_once(("closed",), "a call after close() was not sent (use get_client() for a new client)")
            return None
        # identical content is what the caller passed: the acceptance stamp below differs a second later
        content = hash(encode(op)) if self._window and event_id is None else None
        if "timestamp" not in op and op.get("action") in STAMPED_ACTIONS:
            op["timestamp"] = int(time.time())
        wired = self.wire(op) if self._rewires else op
        text = encode(wired)  # what the official client cannot send raises first
        if _limits(op):
            wired = self.wire(op) if self._rewires else op
            text = encode(wired)
        if len(text) > MAX_OPERATION_BYTES - 40:  # (ASCII: its length is its size)
            raise OverLimit(f"an operation over {MAX_OPERATION_BYTES} bytes")
        if self._worker is None:
            self._ensure_worker()
        self.counters.accept()
        if (event_id is not None or content is not None) and self._repeated(event_id, content):
            return None
        if wired is op and "id" not in op and op.get("action") in EVENT_ACTIONS:
            text = f'{text[:-1]},"id":"{ulid()}"}}'
        return text.encode()

    def _to_secondary(self, op: Dict[str, Any]) -> None:
        if self._secondary is not None:
            try:
                self._secondary._accept(dict(op))
            except Exception as error:  # a secondary destination never affects the primary
                self.counters.add("worker_errors")
                log.warning("flake8-cio runtime: secondary destination refused an event: %r", error)

    def wire(self, op: Dict[str, Any]) -> Dict[str, Any]:
        """The operation as this destination's API takes it (a Track API v2 operation here)."""
        return op

    def _repeated(self, event_id: Any, content: Optional[int]) -> bool:
        """A repeat of an explicit event id, or (dedupe_window) of identical content within the window: counted
        as deduplicated and not sent."""
        key: Any = ("id", event_id if isinstance(event_id, str) else repr(event_id)) if event_id is not None \
            else content
        now = time.monotonic()
        with self._dedupe_lock:
            seen = self._recent.get(key)
            if seen is not None and (event_id is not None or now - seen < self._window):
                self.counters.add("deduplicated")
                return True
            self._recent[key] = now
            if len(self._recent) > 10_000:
                self._recent.popitem(last=False)
        return False

    def report_error(self, reasons: Dict[Any, str], ops: List[Dict[str, Any]]) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(reasons, ops)
        except Exception:  # a raising callback must not kill the worker
            log.exception("flake8-cio runtime: on_error callback raised (ignored)")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flake8-cio"


def _private(folder: Path) -> Path:
    """The default spool folder, made 0700 when this user owns it: the linter's summary cache may have made it
    first with the umask's 0755 (the linter only ever uses it as its owner, so it keeps working)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = folder.stat()
        if hasattr(os, "getuid") and mode.st_uid == os.getuid() and mode.st_mode & 0o077:
            folder.chmod(0o700)
    except OSError:
        pass  # the spool's own open reports an unusable folder
    return folder


def _without_password(url: str) -> str:
    """A Redis URL fit for logs and health()."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=f"***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")).geturl()


_LIVE: "weakref.WeakSet[RuntimeClient]" = weakref.WeakSet()
#: clients with running threads and an open spool file at once, per process (per-tenant credentials)
MAX_ACTIVE_CLIENTS = int(os.environ.get("CUSTOMERIO_MAX_ACTIVE_CLIENTS") or 16)
IDLE_JOIN_SECONDS = 30.0  # how long idling waits for a send in flight before it leaves the spool file open


def _bound_active(started: RuntimeClient) -> None:
    """A client just started its threads: idle the least recently active others beyond MAX_ACTIVE_CLIENTS (in
    the background: idling delivers first, within shutdown_timeout)."""
    active = [c for c in list(_LIVE) if c._worker is not None and c is not started and not c._closed]
    active.sort(key=lambda c: c._worker.last_active if c._worker else 0.0)
    for client in active[: max(0, len(active) + 1 - MAX_ACTIVE_CLIENTS)]:
        threading.Thread(target=client.idle, name="flake8-cio-idle", daemon=True).start()


def _after_fork_in_child() -> None:
    for client in list(_LIVE):
        client._reset_after_fork()


def close_together(closing: Sequence[Tuple[RuntimeClient, float]]) -> List[bool]:
    """Close clients, each by its deadline (time.monotonic()), their workers delivering at the same time (a client
    and its secondary; every client at interpreter exit): N clients take as long as the slowest, not the sum.
    What each close returned; an error is logged (False), never raised."""
    for client, _ in closing:
        _logged(client._start_closing)
    return [bool(_logged(functools.partial(client._close_by, deadline))) for client, deadline in closing]


def _logged(step: Callable[[], Any]) -> Any:
    try:
        return step()
    except Exception:
        log.exception("flake8-cio runtime: error while closing")
        return None


def _close_all_at_exit() -> None:
    """Every client, within its own shutdown_timeout, all at once."""
    start = time.monotonic()
    close_together([(client, start + client.options["shutdown_timeout"]) for client in list(_LIVE)])


# -- exit paths that skip atexit ---------------------------------------------------------------------------------
_hooked_pid: Optional[int] = None
_previous_sigterm: Any = None
SIGTERM_JOURNAL_WAIT = 2.0
SIGTERM_SEND_WAIT = 1.0


def _install_exit_hooks() -> None:
    """Once per process, when its first worker starts: multiprocessing children leave through os._exit after
    running multiprocessing's finalizers, never atexit, so close there too; a SIGTERM (Pool.terminate, gunicorn
    and Celery prefork shutdown) journals what is queued, then lets the previous handler act."""
    global _hooked_pid, _previous_sigterm
    if _hooked_pid == os.getpid():
        return
    _hooked_pid = os.getpid()
    multiprocessing.util.Finalize(None, _close_all_at_exit, exitpriority=10)
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_DFL or (callable(previous) and previous is not _on_sigterm):
        _previous_sigterm = previous
        signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum: int, frame: Optional[FrameType]) -> None:
    """Journal what is queued; when the process is about to die of the signal, also let a request in flight
    finish (up to a second), so that its events are not sent again by the next process."""
    dying = not callable(_previous_sigterm)

    def journal() -> None:
        for client in list(_LIVE):
            client.journal_now()
            if dying and client._worker is not None:
                client._worker.stop(SIGTERM_SEND_WAIT)

    helper = threading.Thread(target=journal, daemon=True)  # this thread may be the one inside the spool now
    helper.start()
    helper.join(SIGTERM_JOURNAL_WAIT + SIGTERM_SEND_WAIT)
    if not dying:
        _previous_sigterm(signum, frame)
    elif _previous_sigterm is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_close_all_at_exit)
