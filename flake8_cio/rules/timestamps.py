"""CIO1xx: timestamps. Customer.io's Track and App APIs read Unix seconds; Data Pipelines wants datetimes."""
from __future__ import annotations

import ast
from typing import Iterator

from .. import sdk
from ..types import SAFE, UNSAFE, Rule, RuleDoc
from ..semantic import CioCall, Model, name_tokens

RULES = (
    Rule("CIO101", "millisecond-timestamp", "Millisecond, microsecond or nanosecond epoch timestamp given to Customer.io", SAFE, RuleDoc(
        checklist="timestamps sent to Customer.io are Unix **seconds**",
        what="""
            Millisecond, microsecond or nanosecond epoch timestamps given to Customer.io:
            `time.time() * 1000`, `int(x * 1e3)`, `time.time_ns()`, `time.time_ns() // 10**6`, `dt.timestamp() * 1000`, and
            integer literals of 12 digits or more where the key or parameter says time (`*_at`, `timestamp`, `date`, `time`,
            `last_used`). It looks in `timestamp=`, attributes, event data, nested dicts, `batch()` operations, and through a
            local variable assigned once. Durations (`(time.time() - start) * 1000`) and values that never reach a
            Customer.io call are not reported.
            """,
        why="""
            The Track and App APIs read Unix seconds and the SDK passes integers through unchecked:
            `1700000000000` is read as a date in the year 55,843, so "created within the last 30 days" segments and
            timestamp-triggered campaigns never match, and only events from the past 72 h trigger campaigns at all.
            """,
        wrong="""
            import time
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.id, created_at=int(time.time() * 1000))
            """,
        right="""
            import time
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.id, created_at=int(time.time()))
            """,
        fix="""
            safe for arithmetic (the scale is dropped: `int(time.time() * 1000)` → `int(time.time())`,
            `time.time_ns() // 10**6` → `time.time_ns() // 10**9`); unsafe for literals (divided to seconds, since a literal
            may be deliberate).
            """,
    )),
    Rule("CIO102", "monotonic-clock-timestamp", "Non-epoch clock (monotonic, perf_counter) used as a Customer.io timestamp", UNSAFE, RuleDoc(
        checklist="timestamps come from an epoch clock, not `monotonic()`/`perf_counter()`",
        what="""
            `time.monotonic()`, `time.perf_counter()`, `time.process_time()` (and `_ns` forms) given to
            Customer.io as a timestamp or under a time-like key.
            """,
        why="""
            These clocks count from an arbitrary point (often boot): the value is a date in 1970, so the
            person or event looks decades old and time-based segments and campaigns misfire.
            """,
        wrong="""
            import time
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "logged_in", timestamp=time.monotonic())
            """,
        right="""
            import time
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "logged_in", timestamp=int(time.time()))
            started = time.monotonic()
            cio.track(user.id, "job_done", {"seconds": time.monotonic() - started})
            """,
        fix="unsafe: the clock becomes `time.time()`.",
    )),
    Rule("CIO103", "naive-or-wrong-type-datetime", "Naive datetime given to the customerio SDK, or a number given as a Data Pipelines timestamp", SAFE, RuleDoc(
        checklist="datetimes are timezone-aware; Data Pipelines timestamps are `datetime`s",
        what="""
            A naive `datetime.now()`, `datetime.today()` or one-argument `datetime.fromtimestamp(x)` given
            to the `customerio` SDK; and a number (literal, `time.time()`, `int(...)`) given as `timestamp=` to the Data
            Pipelines client `customerio.analytics`.
            """,
        why="""
            The `customerio` SDK treats a naive datetime as UTC, so on a server whose clock is not UTC
            every time is off by the UTC offset (`datetime.utcnow()` is right here and not reported). The Data Pipelines
            client asserts that `timestamp` is a `datetime` and raises `AssertionError` on a number: the call fails.
            """,
        wrong="""
            from datetime import datetime
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.id, trial_ends_at=datetime.now())
            """,
        right="""
            from datetime import datetime, timezone
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.id, trial_ends_at=datetime.now(timezone.utc))
            """,
        fix="""
            safe: `datetime.now()` → `datetime.now(timezone.utc)`; a number to Data Pipelines →
            `datetime.fromtimestamp(x, timezone.utc)`; `timezone` is imported when needed.
            """,
    )),
)

EPOCH_SECONDS = {"time.time", "calendar.timegm", "time.mktime"}
EPOCH_NS = "time.time_ns"
MONOTONIC = {f"time.{name}{suffix}" for name in ("monotonic", "perf_counter", "process_time", "thread_time")
             for suffix in ("", "_ns")}
NAIVE_NOW = {"datetime.datetime.now", "datetime.datetime.today"}
NUMBER_WRAPPERS = {"int", "round", "float", "math.floor", "math.ceil", "math.trunc"}
SCALES = {10**3: "millisecond", 10**6: "microsecond", 10**9: "nanosecond"}
TIME_WORDS = {"at", "time", "timestamp", "date", "ts", "when", "used"}
FINE_LITERAL = 10**11  # year 5138 in seconds; a millisecond epoch from 1973 on


def check(model: Model) -> Iterator:
    for call in model.data_calls:
        for value in model.values(call):
            if value.role in ("identifier", "event"):
                continue
            yield from _fine_epoch(model, call, value)
            yield from _monotonic(model, value)
            yield from _datetime_type(model, call, value)


def says_time(key: str | None, role: str) -> bool:
    return role == "timestamp" or bool(key and name_tokens(key) & TIME_WORDS)


def unwrap_number(model: Model, expr: ast.expr) -> ast.expr:
    """``int(x)``, ``round(x)``, ``math.floor(x)`` -> ``x``."""
    while isinstance(expr, ast.Call) and len(expr.args) >= 1 and \
            (model.qualname(expr.func) or getattr(expr.func, "id", None)) in NUMBER_WRAPPERS:
        expr = expr.args[0]
    return expr


def scale(expr: ast.expr) -> int | None:
    """The power-of-ten factor a literal says: ``1000``, ``1e3``, ``10**6``, ``1_000_000_000``."""
    if isinstance(expr, ast.Constant) and type(expr.value) in (int, float):
        value = expr.value
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Pow) and \
            all(isinstance(side, ast.Constant) and type(side.value) is int for side in (expr.left, expr.right)):
        value = expr.left.value ** expr.right.value
    else:
        return None
    return int(value) if value in SCALES else None


def _call_name(model: Model, expr: ast.expr) -> str | None:
    return model.qualname(expr.func) if isinstance(expr, ast.Call) else None


def is_epoch_seconds(model: Model, expr: ast.expr, scope) -> bool:
    expr = model.value_of(unwrap_number(model, expr), scope)
    if not isinstance(expr, ast.Call):
        return False
    if _call_name(model, expr) in EPOCH_SECONDS:
        return True
    return isinstance(expr.func, ast.Attribute) and expr.func.attr == "timestamp" and not expr.args


def fine_epoch(model: Model, expr: ast.expr, scope) -> tuple[ast.expr, str] | None:
    """The node of a finer-than-seconds epoch expression and its unit, if ``expr`` is one."""
    expr = unwrap_number(model, expr)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        for epoch, factor in ((expr.left, expr.right), (expr.right, expr.left)):
            if scale(factor) and is_epoch_seconds(model, epoch, scope):
                return expr, SCALES[scale(factor)]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.FloorDiv, ast.Div)) and \
            _call_name(model, model.value_of(expr.left, scope)) == EPOCH_NS and (scale(expr.right) or 10**9) < 10**9:
        return expr, SCALES[10**9 // scale(expr.right)]
    if _call_name(model, expr) == EPOCH_NS:
        return expr, "nanosecond"
    return None


def _fine_epoch(model: Model, call: CioCall, value) -> Iterator:
    found = fine_epoch(model, value.expr, call.site.scope)
    where = f" as `{value.key}`" if value.key else ""
    if found:
        node, unit = found
        yield model.finding(
            "CIO101", node,
            f"{unit} epoch timestamp sent to Customer.io{where}: the API reads Unix seconds, so the date lands "
            "thousands of years ahead and time conditions never match; send seconds (`int(time.time())`)",
            fix="drop-scale", safety=SAFE,
        )
        return
    literal = value.expr
    if isinstance(literal, ast.Constant) and type(literal.value) in (int, float) and \
            literal.value >= FINE_LITERAL and says_time(value.key, value.role):
        unit = "millisecond" if literal.value < 10**14 else "microsecond" if literal.value < 10**17 else "nanosecond"
        yield model.finding(
            "CIO101", literal,
            f"{unit} epoch literal sent to Customer.io{where}: the API reads Unix seconds; "
            f"use {int(literal.value // {'millisecond': 10**3, 'microsecond': 10**6, 'nanosecond': 10**9}[unit])}",
            fix="literal-to-seconds", safety=UNSAFE,
        )


def _monotonic(model: Model, value) -> Iterator:
    expr = unwrap_number(model, value.expr)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Mult, ast.FloorDiv)):
        expr = expr.left if isinstance(expr.left, ast.Call) else expr.right
    name = _call_name(model, expr)
    if name in MONOTONIC and says_time(value.key, value.role):
        yield model.finding(
            "CIO102", expr,
            f"`{name}()` is not an epoch clock (it counts from an arbitrary point, such as boot) but is sent to "
            "Customer.io as a timestamp; use `time.time()`",
            fix="monotonic-to-time", safety=UNSAFE,
        )


def is_naive_datetime(model: Model, expr: ast.expr) -> bool:
    while isinstance(expr, ast.BinOp):
        expr = expr.left
    name = _call_name(model, expr)
    if any(k.arg in ("tz", "tzinfo") for k in getattr(expr, "keywords", ())):
        return False
    return (name in NAIVE_NOW and not expr.args) or (name == "datetime.datetime.fromtimestamp" and len(expr.args) == 1)


def _is_number(model: Model, expr: ast.expr, scope) -> bool:
    if isinstance(expr, ast.Constant):
        return type(expr.value) in (int, float)
    return is_epoch_seconds(model, expr, scope) or fine_epoch(model, expr, scope) is not None or \
        (isinstance(expr, ast.Call) and (model.qualname(expr.func) or getattr(expr.func, "id", None)) in NUMBER_WRAPPERS)


def _datetime_type(model: Model, call: CioCall, value) -> Iterator:
    if call.kind == sdk.ANALYTICS:
        if value.role == "timestamp" and _is_number(model, value.expr, call.site.scope):
            yield model.finding(
                "CIO103", value.expr,
                "Data Pipelines (`customerio.analytics`) requires a `datetime` timestamp and raises AssertionError "
                "on a number; pass `datetime.fromtimestamp(x, timezone.utc)`",
                fix="number-to-datetime", safety=SAFE,
            )
    elif is_naive_datetime(model, value.expr):
        yield model.finding(
            "CIO103", value.expr,
            "naive datetime sent to Customer.io: the SDK reads it as UTC, so on a host not on UTC the time is off by "
            "its UTC offset; use `datetime.now(timezone.utc)`",
            fix="aware-datetime", safety=SAFE,
        )
