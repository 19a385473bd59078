"""CIO1xx: timestamps. Customer.io's Track and App APIs read Unix seconds; Data Pipelines wants datetimes."""
from __future__ import annotations

import ast
from typing import Callable, Iterator

from .. import sdk
from ..rule import Rule, RuleDoc
from ..types import NONE, SAFE, UNSAFE
from ..semantic import CioCall, Model, name_tokens
from ..units import (NUMBER_WRAPPERS, SCALES, call_name, epoch_helper, fine_epoch, is_epoch_seconds, named_unit,
                     number_value, scale, unwrap_number)
from .fixing import edit_site, forwarded, keeping_comments, reporter, span

RULES = (
    Rule("CIO101", "millisecond-timestamp", "Millisecond, microsecond or nanosecond epoch timestamp given to Customer.io", SAFE, RuleDoc(
        checklist="timestamps sent to Customer.io are Unix **seconds**",
        what="""
            Millisecond, microsecond or nanosecond epoch timestamps given to Customer.io:
            `time.time() * 1000`, `int(x * 1e3)`, `time.time_ns()`, `time.time_ns() // 10**6`, `dt.timestamp() * 1000`, and
            integer literals of 12 digits or more where the key or parameter says time (`*_at`, `timestamp`, `date`, `time`,
            `last_used`). It looks in `timestamp=`, attributes, event data, nested dicts, `batch()` operations, through a
            local variable assigned once, and through helpers: a call of a function (or same-class method) whose every
            `return` gives such a value (`def now_ms(): return int(time.time() * 1000)`, or `return now_ms()` of
            another such function), defined in the module or imported from another module of the project
            (third-party packages are not followed), is reported naming the helper and where it is defined. A value
            of unknown origin multiplied by 1000 (10**6, 10**9) is reported where only a point in time goes: a key
            ending in `_at`, `last_used`, or the call's timestamp (`signed_up_at=int(row["signed_up"]) * 1000`), and
            so is a value named for its unit there (`timestamp=invoice.paid_at_ms`, `sent_at_ns // 1000`: a last word
            `ms`, `millis`, `micros`, `ns`, `nanos`..., and `us` after a time word: `finished_at_us`). Durations (`(time.time() - start) * 1000`), a helper's value divided at the call (`now_ms() // 1000`) and
            values that never reach a Customer.io call are not reported.
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
            `time.time_ns() // 10**6` → `time.time_ns() // 10**9`, comments kept); unsafe for literals (divided to
            seconds, since a literal may be deliberate). A value made elsewhere that something else reads too is
            divided at the call (`updated_at=now_ms // 1000`), so the other readers keep milliseconds. Unsafe for a
            helper's value, divided at the call (`now_ms() // 1000`): the division restates what the helper's body
            says today, in another function or module, and the helper itself keeps milliseconds for its other callers.
            Unsafe for a value of unknown origin multiplied (the multiplication is dropped): its unit is not known.
            None for a value named for its unit: only its name says so.
            """,
    )),
    Rule("CIO102", "monotonic-clock-timestamp", "Non-epoch clock (monotonic, perf_counter) used as a Customer.io timestamp", UNSAFE, RuleDoc(
        checklist="timestamps come from an epoch clock, not `monotonic()`/`perf_counter()`",
        what="""
            `time.monotonic()`, `time.perf_counter()`, `time.process_time()` (and `_ns` forms) given to
            Customer.io as a timestamp or under a time-like key, also scaled or with an offset added
            (`perf_counter() + 86400` is still a date near 1970); a difference of two readings is a duration.
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
        fix="unsafe: the clock becomes `time.time()`; none when the value also times a duration.",
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
            safe: `datetime.now()` → `datetime.now(timezone.utc)` (a naive value other code also reads is converted
            at the call: `seen.astimezone(timezone.utc)`); a number given as a Data Pipelines `timestamp` →
            `datetime.fromtimestamp(x, timezone.utc)` at the call; `timezone` is imported when needed, aliased if
            the module uses the name.
            """,
    )),
)

MONOTONIC = {f"time.{name}{suffix}" for name in ("monotonic", "perf_counter", "process_time", "thread_time")
             for suffix in ("", "_ns")}
NAIVE_NOW = {"datetime.datetime.now", "datetime.datetime.today"}
TIME_WORDS = {"at", "time", "timestamp", "date", "ts", "when", "used"}
FINE_LITERAL = 10**11  # year 5138 in seconds; a millisecond epoch from 1973 on
MESSAGES = {
    "CIO101": "{what} sent to Customer.io{where}{detail}: the API reads Unix seconds, so the date lands thousands of years "
              "ahead and time conditions never match; send seconds ({instead})",
    "CIO102": "`{clock}()` is not an epoch clock (it counts from an arbitrary point, such as boot) but is sent to "
              "Customer.io as a timestamp; use `time.time()`",
    "CIO103": "{what} sent to {client}: {why}; pass `{instead}`",
}
_report = reporter(MESSAGES)


def check(model: Model) -> Iterator:
    for call in model.data_calls:
        for value in model.values(call):
            if value.role in ("identifier", "event"):
                continue
            yield from _fine_epoch(model, call, value)
            yield from _monotonic(model, call, value)
            yield from _datetime_type(model, call, value)


def _unscaled(node: ast.expr) -> str:
    """The seconds a scaled epoch was made from (``sub.renewed.timestamp()`` of ``sub.renewed.timestamp() * 1000``),
    for the advice; ``time.time()`` for a nanosecond clock."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return ast.unparse(node.left if scale(node.right) else node.right)
    return "time.time()"


def says_time(key: str | None, role: str) -> bool:
    return role == "timestamp" or bool(key and name_tokens(key) & TIME_WORDS)


def _fine_epoch(model: Model, call: CioCall, value) -> Iterator:
    found = fine_epoch(model, value.expr, call.site.scope)
    where = f" as `{value.key}`" if value.key else ""
    if found:
        node, unit = found
        finding = _report(model, "CIO101", node, value.at, what=f"{unit} epoch timestamp", where=where, detail="",
                          instead=f"`int({_unscaled(node)})`")
        yield _to_seconds(model, call, value, finding, node, unit, _drop_scale, SAFE,
                          _scale_edit(model, node, call.site.scope))
        return
    helper = epoch_helper(model, value.expr, call.site)
    if helper:
        yield _from_helper(model, call, value, where, *helper)
        return
    scaled = _scaled_point_in_time(model, value, call.site.scope)
    if scaled:
        node, unit = scaled
        factor = scale(node.right) or scale(node.left)
        finding = _report(model, "CIO101", node, value.at, what=f"{unit} timestamp", where=where,
                          detail=f" (a value multiplied by {factor:,})", instead="the value without the multiplication")
        yield _to_seconds(model, call, value, finding, node, unit, _drop_scale, UNSAFE,
                          {"keep": "left" if scale(node.right) else "right"})
        return
    named = _named_unit(model, call, value)
    if named:
        node, unit = named
        said = (named_unit(model, node, call.site.scope) or named)[1]  # the name's own unit, before a division
        divided = "" if said == unit else f", divided down to {unit}s"
        yield _report(model, "CIO101", node, value.at, what=f"{unit} epoch timestamp", where=where,
                      detail=f" (`{ast.unparse(node)}` says {said}s{divided})", instead="the value in seconds")
        return
    literal = value.expr
    if isinstance(literal, ast.Constant) and type(literal.value) in (int, float) and \
            literal.value >= FINE_LITERAL and says_time(value.key, value.role):
        unit = "millisecond" if literal.value < 10**14 else "microsecond" if literal.value < 10**17 else "nanosecond"
        seconds = str(int(literal.value) // DIVISORS[unit][1])
        finding = _report(model, "CIO101", literal, value.at, what=f"{unit} epoch literal", where=where, detail="",
                          instead=f"`{seconds}`")
        yield _to_seconds(model, call, value, finding, literal, unit, _literal_to_seconds, UNSAFE, {"value": seconds})


def _scaled_point_in_time(model: Model, value, scope) -> tuple[ast.BinOp, str] | None:
    """``x * 1000`` for any ``x`` but a difference (a duration), sent where only a point in time goes: a key
    ending in ``_at``, ``last_used``, or the call's timestamp. Its unit is the scale's."""
    if not _point_in_time(value):
        return None
    expr = number_value(model, value.expr, scope)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        for other, factor in ((expr.left, expr.right), (expr.right, expr.left)):
            other = unwrap_number(model, other)
            if scale(factor) and not (isinstance(other, ast.BinOp) and isinstance(other.op, ast.Sub)):
                return expr, SCALES[scale(factor)]
    return None


def _named_unit(model: Model, call: CioCall, value) -> tuple[ast.expr, str] | None:
    """A value named for a finer unit (``paid_at_ms``) where only a point in time goes: the value, or the name it
    was written as at the call (``stamp_ms`` bound to ``row["paid"]``). Only for a value of unknown origin: a
    known clock or a literal says its unit better than a name (``started_ms = int(time.time())`` is seconds)."""
    origin = unwrap_number(model, value.expr)
    if isinstance(origin, ast.Constant) or is_epoch_seconds(model, origin, call.site.scope):
        return None
    computed = isinstance(origin, (ast.BinOp, ast.Call))  # paid_at_ms = row["paid_at_ms"] / 1000: the value decides
    for written in (value.expr, None if computed else value.at) if _point_in_time(value) else ():
        found = named_unit(model, written, call.site.scope) if written is not None else None
        if found:
            return found
    return None


def _point_in_time(value) -> bool:
    """Where only a point in time goes: the call's timestamp, a key ending in ``_at``, ``last_used``."""
    key = value.key or ""
    return value.role == "timestamp" or key.endswith("_at") or key == "last_used"


def _from_helper(model: Model, call: CioCall, value, where: str, node: ast.Call, unit: str, defined: str):
    """A helper's value, divided at the call (``now_ms() // 1000``) by an unsafe fix: the division restates what the
    helper's body says today, and the helper keeps its unit for its other callers."""
    name, divisor = ast.unparse(node.func), DIVISORS[unit][0]
    finding = _report(model, "CIO101", node, value.at, what=f"{unit} epoch timestamp", where=where,
                      detail=f" (`{name}()` returns {unit}s, {defined})", instead=f"`{name}() // {divisor}`")
    return _to_seconds(model, call, value, finding, node, unit, _drop_scale, UNSAFE, {"divide": divisor})


def _monotonic(model: Model, call: CioCall, value) -> Iterator:
    expr = unwrap_number(model, value.expr)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Mult, ast.FloorDiv, ast.Add)):  # + an offset: a date
        expr = expr.left if isinstance(expr.left, ast.Call) else expr.right  # still ~1970 (`perf_counter() + 86400`)
    name = call_name(model, expr)
    if name in MONOTONIC and says_time(value.key, value.role):
        yield _report(model, "CIO102", expr, value.at, clock=name).with_fix(_monotonic_to_time if edit_site(model, call, expr, value.expr) == ("here", expr) else None,
                   UNSAFE, target=span(model, expr), clock="time_ns" if name.endswith("_ns") else "time")


def is_naive_datetime(model: Model, expr: ast.expr) -> bool:
    while isinstance(expr, ast.BinOp):
        expr = expr.left
    name = call_name(model, expr)
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
        # only the call's own timestamp must be a datetime: a number among the traits or properties is data
        written = call.args.get("timestamp")
        if written is not None and model.value_of(written, call.site.scope) is value.expr and \
                _is_number(model, value.expr, call.site.scope):
            yield _report(model, "CIO103", value.expr, value.at, what="a number as the timestamp",
                          client="Data Pipelines (`customerio.analytics`)",
                          why="it requires a `datetime` and raises AssertionError on a number",
                          instead="datetime.fromtimestamp(x, timezone.utc)").with_fix(None if forwarded(model, written) else _number_to_datetime, SAFE,
                       target=span(model, written))  # wrapped at the call
    elif is_naive_datetime(model, value.expr):
        finding = _report(model, "CIO103", value.expr, value.at, what="a naive datetime", client="Customer.io",
                          why="the SDK reads it as UTC, so on a host not on UTC the time is off by its UTC offset",
                          instead="datetime.now(timezone.utc)")
        site = edit_site(model, call, value.expr, value.expr)
        if site and site[0] == "here":
            naive = value.expr
            while isinstance(naive, ast.BinOp):
                naive = naive.left
            yield finding.with_fix(_aware_datetime, SAFE, target=span(model, naive))
        else:  # other readers keep the naive value; the call gets it converted
            yield finding.with_fix(_aware_datetime if site else None, SAFE, target=span(model, site[1]) if site else None,
                                   convert=True)


# -- fixes (libcst is imported inside them only) --------------------------------------------------------------------
DIVISORS = {"millisecond": ("1000", 10**3), "microsecond": ("10**6", 10**6), "nanosecond": ("10**9", 10**9)}


def _scale_edit(model: Model, node: ast.expr, scope) -> dict:
    """How to turn the fine epoch ``node`` into seconds where it is written: drop the factor of a product, divide a
    ``time_ns()`` quotient by 10**9 instead, or divide ``time_ns()`` itself."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return {"keep": "left" if scale(node.right) and is_epoch_seconds(model, node.left, scope) else "right"}
    if isinstance(node, ast.BinOp):
        return {"divisor": "10**9"}
    return {"divide": "10**9"}


def _to_seconds(model: Model, call: CioCall, value, finding, node: ast.expr, unit: str, fix: Callable, safety: str,
                here: dict):
    """A fine epoch's fix: edited where it is written when only this call reads it, else divided to seconds at the
    call (``created_at=ms // 1000``) so that other readers keep milliseconds."""
    site = edit_site(model, call, node, value.expr)
    if site is None:
        return finding.with_fix(None, NONE)
    where, at = site
    if where == "here":
        return finding.with_fix(fix, safety, target=span(model, node), **here)
    return finding.with_fix(fix, safety, target=span(model, at), divide=DIVISORS[unit][0])


def _drop_scale(node, finding, edit):
    import libcst as cst

    data = finding.data
    if "divide" in data:
        return cst.BinaryOperation(node, cst.FloorDivide(whitespace_before=cst.SimpleWhitespace(" "),
                                                         whitespace_after=cst.SimpleWhitespace(" ")),
                                   cst.parse_expression(data["divide"]))
    if not isinstance(node, cst.BinaryOperation):
        return None
    if "divisor" in data:
        return node.with_changes(right=cst.parse_expression(data["divisor"]))
    kept = node.left if data["keep"] == "left" else node.right
    kept = kept.with_changes(lpar=node.lpar, rpar=node.rpar) if node.lpar else kept
    return keeping_comments(kept, node.operator.whitespace_before, node.operator.whitespace_after)


def _literal_to_seconds(node, finding, edit):
    import libcst as cst

    if "divide" in finding.data:
        return _drop_scale(node, finding, edit)
    return cst.Integer(finding.data["value"]) if isinstance(node, (cst.Integer, cst.Float)) else None


def _monotonic_to_time(node, finding, edit):
    import libcst as cst

    if not isinstance(node, cst.Call):
        return None
    clock = finding.data["clock"]
    if isinstance(node.func, cst.Attribute):  # time.monotonic() -> time.time(), through the same module name
        return node.with_changes(func=node.func.with_changes(attr=cst.Name(clock)))
    if isinstance(node.func, cst.Name):
        edit.drop_if_unused(node.func.value)
    return node.with_changes(func=cst.parse_expression(edit.name_for("time", clock)))


def _utc(edit, naive_func) -> str:
    """``timezone.utc`` through the module the call already names (``dt.datetime.now`` -> ``dt.timezone.utc``)."""
    import libcst as cst

    owner = getattr(naive_func, "value", None)
    if isinstance(owner, cst.Attribute):
        return f"{edit.code(owner.value)}.timezone.utc"
    return f"{edit.name_for('datetime', 'timezone')}.utc"


def _aware_datetime(node, finding, edit):
    import libcst as cst

    if finding.data.get("convert"):  # the naive value, read as local time, converted at the call
        method = cst.Attribute(node, cst.Name("astimezone"))
        return cst.Call(method, [cst.Arg(cst.parse_expression(_utc(edit, None)))])
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    utc = cst.Arg(cst.parse_expression(_utc(edit, node.func)))
    if node.func.attr.value == "today":
        node = node.with_changes(func=node.func.with_changes(attr=cst.Name("now")))
    args = list(node.args)
    if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return node.with_changes(args=[*args, utc])


def _number_to_datetime(node, finding, edit):
    import libcst as cst

    function = cst.parse_expression(f"{edit.name_for('datetime', 'datetime')}.fromtimestamp")
    utc = cst.parse_expression(f"{edit.name_for('datetime', 'timezone')}.utc")
    return cst.Call(function, [cst.Arg(node.with_changes(lpar=[], rpar=[]) if node.lpar else node,
                                       comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Arg(utc)])
