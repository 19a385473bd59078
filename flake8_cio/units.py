"""Epoch units of time expressions (``time.time() * 1000`` is milliseconds, ``now_ms()`` returns them): facts the
timestamp rules ask and the project summaries record, so they sit below both."""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .scopes import Function, Site, str_value

if TYPE_CHECKING:
    from .semantic import Model

EPOCH_SECONDS = {"time.time", "calendar.timegm", "time.mktime"}
EPOCH_NS = "time.time_ns"
NUMBER_WRAPPERS = {"int", "round", "float", "math.floor", "math.ceil", "math.trunc"}
SCALES = {10**3: "millisecond", 10**6: "microsecond", 10**9: "nanosecond"}


def unwrap_number(model: Model, expr: ast.expr) -> ast.expr:
    """``int(x)``, ``round(x)``, ``math.floor(x)`` -> ``x``."""
    while isinstance(expr, ast.Call) and len(expr.args) >= 1 and \
            (model.qualname(expr.func) or getattr(expr.func, "id", None)) in NUMBER_WRAPPERS:
        expr = expr.args[0]
    return expr


def number_value(model: Model, expr: ast.expr, scope) -> ast.expr:
    """What a number expression computes, through number wrappers and a local on either side of them:
    ``int(ts)`` with ``ts = time.time() * 1e3`` -> ``time.time() * 1e3``."""
    return unwrap_number(model, model.value_of(unwrap_number(model, expr), scope))


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


def call_name(model: Model, expr: ast.expr) -> str | None:
    return model.qualname(expr.func) if isinstance(expr, ast.Call) else None


def is_epoch_seconds(model: Model, expr: ast.expr, scope) -> bool:
    expr = model.value_of(unwrap_number(model, expr), scope)
    if not isinstance(expr, ast.Call):
        return False
    if call_name(model, expr) in EPOCH_SECONDS:
        return True
    return isinstance(expr.func, ast.Attribute) and expr.func.attr == "timestamp" and not expr.args


def fine_epoch(model: Model, expr: ast.expr, scope) -> tuple[ast.expr, str] | None:
    """The node of a finer-than-seconds epoch expression and its unit, if ``expr`` is one."""
    expr = number_value(model, expr, scope)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        for epoch, factor in ((expr.left, expr.right), (expr.right, expr.left)):
            if scale(factor) and is_epoch_seconds(model, epoch, scope):
                return expr, SCALES[scale(factor)]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.FloorDiv, ast.Div)) and \
            call_name(model, model.value_of(expr.left, scope)) == EPOCH_NS and (scale(expr.right) or 10**9) < 10**9:
        return expr, SCALES[10**9 // scale(expr.right)]
    if call_name(model, expr) == EPOCH_NS:
        return expr, "nanosecond"
    return None


#: The last word of a name that says its unit (``paid_at_ms``, ``sent_at_ns``), as a power of ten of seconds.
UNIT_WORDS = {**dict.fromkeys(("ms", "msec", "millis", "milliseconds"), 10**3),
              **dict.fromkeys(("usec", "micros", "microseconds"), 10**6),  # not "us": launch_date_us is a country
              **dict.fromkeys(("ns", "nsec", "nanos", "nanoseconds"), 10**9)}
TIME_WORDS_BEFORE_US = {"at", "ts", "time", "timestamp", "epoch"}


def named_unit(model: Model, expr: ast.expr, scope) -> tuple[ast.expr, str] | None:
    """A value whose own name, or the name of what it was assigned from, says it is finer than seconds
    (``invoice.paid_at_ms``), or such a value divided by less than its scale (``sent_at_ns // 1000`` is
    microseconds), and its unit."""
    return _named_unit(model, expr) or _named_unit(model, model.value_of(expr, scope))


def _named_unit(model: Model, expr: ast.expr) -> tuple[ast.expr, str] | None:
    expr = unwrap_number(model, expr)
    divisor = 1
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.FloorDiv, ast.Div)) and scale(expr.right):
        divisor = scale(expr.right) or 1
        expr = unwrap_number(model, expr.left)
    name = expr.id if isinstance(expr, ast.Name) else expr.attr if isinstance(expr, ast.Attribute) else \
        str_value(expr.slice) or "" if isinstance(expr, ast.Subscript) else ""  # msg["paid_at_ms"] too
    words = name.lower().split("_")
    factor = UNIT_WORDS.get(words[-1], 1) if len(words) > 1 else 1
    if words[-1] == "us" and len(words) > 1 and words[-2] in TIME_WORDS_BEFORE_US:
        factor = 10**6  # finished_at_us, ts_us: microseconds (launch_date_us may be a country)
    return (expr, SCALES[factor // divisor]) if factor // divisor in SCALES else None


def returned_unit(model: Model, fn: Function, seen: tuple = ()) -> str | None:
    """The unit of the finer-than-seconds epoch that every ``return`` of ``fn`` gives (``return int(time.time() *
    1000)``, or ``return now_ms()`` of such a function of this module): calling it reads a millisecond (micro-,
    nanosecond) clock. None when any return gives something else, and for an ``async def``, whose call gives a
    coroutine."""
    if fn.is_async or fn in seen:
        return None
    units = {_unit(model, ret.value, fn, (*seen, fn)) for ret in fn.returns}
    return units.pop() if len(units) == 1 else None


def _unit(model: Model, returned: ast.expr | None, fn: Function, seen: tuple) -> str | None:
    if returned is None:
        return None
    value = model.value_of(returned, fn.scope)
    found = fine_epoch(model, value, fn.scope)
    if found:
        return found[1]
    site = next((s for s in model.sites_in(fn) if s.node is value), None)
    helper = site and model.local_function(value.func, site)  # type: ignore[attr-defined]
    return returned_unit(model, helper, seen) if helper else None


def epoch_helper(model: Model, expr: ast.expr, site: Site) -> tuple[ast.Call, str, str] | None:
    """A call of a project function that returns a finer-than-seconds epoch (``now_ms()``), seen at ``site``: the
    call, its unit and where the function is defined (``line 4`` here, ``shop/utils/clock.py:4`` in another module).
    Only what the engine can name is followed: this module's functions and the project's (see ``Project``)."""
    call = unwrap_number(model, expr)
    if not isinstance(call, ast.Call):
        return None
    local = model.local_function(call.func, site)
    if local is not None:
        unit = returned_unit(model, local)
        return (call, unit, f"line {local.node.lineno}") if unit else None
    found = model.returned_unit(call.func, site.scope)
    return (call, *found) if found else None


