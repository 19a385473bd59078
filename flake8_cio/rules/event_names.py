"""CIO2xx: event names. Campaign triggers and segments match event names exactly as sent."""
from __future__ import annotations

import ast
import re
import unicodedata
from typing import Iterator

from .. import sdk
from ..rule import Rule, RuleDoc
from ..types import NONE, UNSAFE
from ..options import NAME_STYLES
from ..profiles import EMAIL
from ..semantic import CioCall, Model, dotted, name_tokens, str_value
from .fixing import edit_site, find_arg, forwarded, merge_entries, span, string_like

RULES = (
    Rule("CIO201", "dynamic-event-name", "Event name built at run time (f-string, +, format, %, join)", UNSAFE, RuleDoc(
        checklist="event names are fixed strings; variable parts go in event data",
        what="""
            An event name built at run time: an f-string with placeholders, `+`, `.format()`, `%` or
            `"".join(...)`, directly or through a local variable. Names held in constants or enums, a variable bound to a
            literal, f-strings without placeholders and f-strings whose placeholders are all constants
            (`f"{PREFIX}_placed"`, `f"{Event.SIGNED_UP.value}_refund"`, also another module's) are fine: the name
            is fixed.
            """,
        why="""
            Customer.io matches campaign triggers and segments on the exact event name: `viewed_123` and
            `viewed_124` are two unrelated events, the event list fills with thousands of names, and no trigger matches.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, f"viewed_{product.id}")
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "viewed_product", data={"product_id": product.id})
            """,
        fix="""
            unsafe (it renames an event): where the placeholders are simple names or attributes, the name becomes its
            static text and the placeholders move into the event data (`"viewed"`, `data={"product_id": product.id}`);
            none when the data already has such a key (into non-literal data they go first, so the author's win).
            """,
    )),
    Rule("CIO202", "event-name-style", "Literal event name not in the configured style (default snake_case)", UNSAFE, RuleDoc(
        checklist="event names follow one style (snake_case by default)",
        what="""
            A literal event name (or a local, a module or class constant, or a member of a `str` Enum holding one)
            not in the configured style.
            Data Pipelines calls are checked against their own style (by default capitalized words separated by spaces, which
            admits both Customer.io's "Object Action" Title Case, `Order Completed`, and sentence case, `Signed up`; choose
            `object-action` for strict Title Case), and its reserved semantic events (`User Deleted`,
            `Device Created or Updated`, ...) are never reported.
            """,
        why="""
            Names are matched exactly and case-sensitively: `UserSignedUp`, `user_signed_up` and
            `user-signed-up` are three events, and a trigger written for one misses the others.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "UserSignedUp")
            """,
        right="""
            from customerio import CustomerIO, analytics
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "user_signed_up")
            analytics.track(user.id, "User Signed Up")
            """,
        fix="""
            unsafe (it renames an event; update the campaigns that use the old name): the literal is rewritten to
            the configured style; accented letters lose their accents (`café_visited` → `cafe_visited`), and a name
            with a letter that has no ASCII form (`straße`, `東京`) gets no fix: no letter is ever dropped.
            """,
        options="""
            `cio-event-name-style` (snake_case, camelCase, PascalCase, kebab-case, object-action,
            capitalized-words, any; default snake_case) and `cio-pipelines-event-name-style` (default capitalized-words).
            """,
    )),
    Rule("CIO203", "pii-in-event-name", "Email address or phone number in an event name", NONE, RuleDoc(
        checklist="no email address or phone number in an event name",
        what="""
            An email address or phone number in an event name: in the literal text, or interpolated from a
            value whose name says email or phone (`user.email`, `form["phone"]`).
            """,
        why="""
            Every person gets their own event name, and their address is copied into event lists,
            reports and exports that many people can see, outside the profile's access and deletion controls.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, f"invited_{invitee.email}")
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "invited", data={"invitee_email": invitee.email})
            """,
        fix="none: move the value into the event data by hand.",
    )),
)

PHONE = re.compile(r"\+?\d[\d ().-]{7,}\d")
PII_WORDS = {"email", "phone", "mobile", "msisdn", "e164", "tel", "telephone"}


def check(model: Model) -> Iterator:
    for call in model.data_calls:
        for value in model.values(call):
            if value.role == "event":
                yield from _check_name(model, call, value.expr, value.at)


def interpolated(model: Model, expr: ast.expr, scope) -> tuple[list[ast.expr], list[str]] | None:
    """The run-time parts and literal parts of a built string, or None when ``expr`` is not built at run time.
    Parts that resolve to string constants count as literal."""
    dynamic: list[ast.expr] = []
    literal: list[str] = []

    def add(part: ast.expr) -> None:
        resolved = model.value_of(part, scope)
        text = str_value(resolved)
        if text is not None:
            literal.append(text)
        elif (inner := interpolated(model, resolved, scope)) is not None:
            dynamic.extend(inner[0])
            literal.extend(inner[1])
        else:
            dynamic.append(part)

    if isinstance(expr, ast.JoinedStr):
        for part in expr.values:
            add(part.value if isinstance(part, ast.FormattedValue) else part)
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        add(expr.left)
        add(expr.right)
    elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and str_value(expr.left) is not None:
        literal.append(expr.left.value)
        for part in (expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]):
            add(part)
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and \
            str_value(expr.func.value) is not None and expr.func.attr in ("format", "join"):
        literal.append(expr.func.value.value)
        for part in (*expr.args, *(k.value for k in expr.keywords)):
            add(part)
    else:
        return None
    return dynamic, literal


def to_style(name: str, style: str) -> str | None:
    """``"UserSignedUp"`` -> ``"user_signed_up"`` in the given style; accented letters lose their accents
    (``"café_visited"`` -> ``"cafe_visited"``: NFKD, combining marks removed). None when a letter has no ASCII form
    (``"straße"``, ``"東京"``): no letter is ever dropped."""
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    if any(not c.isascii() and unicodedata.category(c)[0] in "LN" for c in name):
        return None
    words = [w.lower() for w in re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_|$)|[A-Z]?[a-z]+|[A-Z]+|\d+", name)]
    if style == "snake_case":
        return "_".join(words)
    if style == "kebab-case":
        return "-".join(words)
    if style == "camelCase":
        return words[0] + "".join(w.title() for w in words[1:]) if words else name
    if style == "PascalCase":
        return "".join(w.title() for w in words)
    if style in ("object-action", "capitalized-words"):
        return " ".join(w.title() for w in words)
    return name


def mentions_pii(model: Model, expr: ast.expr) -> bool:
    """An expression whose name says it holds an email or phone number (``user.email``, ``form["phone"]``)."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("lower", "strip", "casefold"):
        return mentions_pii(model, expr.func.value)
    if isinstance(expr, ast.Subscript):
        key = str_value(expr.slice)
        return bool(key and name_tokens(key) & PII_WORDS)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get" and expr.args:
        key = str_value(expr.args[0])
        return bool(key and name_tokens(key) & PII_WORDS)
    name = dotted(expr)
    return bool(name and name_tokens(name.rsplit(".", 1)[-1]) & PII_WORDS)


def _movable_placeholders(call: CioCall, expr: ast.expr) -> bool:
    """An f-string written in the call whose placeholders are plain names or attributes: cio-fix can move them
    into the event data."""
    in_call = any(arg is expr for arg in call.node.args) or any(k.value is expr for k in call.node.keywords)
    return in_call and isinstance(expr, ast.JoinedStr) and all(
        isinstance(part, ast.Constant) or (part.conversion == -1 and part.format_spec is None
                                           and dotted(part.value) is not None)
        for part in expr.values
    )


def _check_name(model: Model, call: CioCall, expr: ast.expr, written: ast.expr | None) -> Iterator:
    scope = call.site.scope
    literal = str_value(expr)
    built = interpolated(model, expr, scope)
    texts = [literal] if literal is not None else (built[1] if built else [])
    if any(EMAIL.search(t) or PHONE.search(t) for t in texts) or \
            (built and any(mentions_pii(model, part) for part in built[0])):
        yield model.value_finding(
            written, "CIO203", expr,
            "personal data (email or phone) in an event name: it creates one event name per person, leaks PII into "
            "every report and trigger list; use a fixed name and put the value in the event data",
        )
    if built and built[0]:
        yield _static_name_fix(model, call, expr, model.value_finding(
            written, "CIO201", expr,
            "event name built at run time: every variant is a separate event to Customer.io, so campaign triggers "
            "and segments on the name never match; use a fixed name and send the variable part as event data",
        ))
    elif literal is not None:
        if call.kind == sdk.ANALYTICS:
            style = model.options.pipelines_event_name_style
            if literal in sdk.RESERVED_PIPELINES_EVENTS:
                return
        else:
            style = model.options.event_name_style
        if not re.fullmatch(NAME_STYLES[style], literal):
            wanted = to_style(literal, style)
            site = wanted and edit_site(model, call, expr, expr)  # no fix for a name without an ASCII form
            advice = f"use {wanted!r}" if wanted else "rename it by hand (it has letters without an ASCII form)"
            yield model.value_finding(
                written, "CIO202", expr,
                f"event name {literal!r} is not {style}: names are matched exactly, so mixed styles split one event "
                f"into several in triggers and segments; {advice}",
            ).with_fix(_restyle_event_name if site else None, UNSAFE, target=site and span(model, site[1]), name=wanted)


# -- fixes (libcst is imported inside them only) --------------------------------------------------------------------
def _static_name_fix(model: Model, call: CioCall, expr: ast.expr, finding):
    """CIO201's fix data: the f-string's text without its placeholders as the name, each placeholder under its own
    name in the event data; none when a key is already in a literal data dict (the author's value stays)."""
    analytics = call.kind == sdk.ANALYTICS
    params = sdk.METHODS[call.kind][call.method].params
    name_param, data_param = ("event", "properties") if analytics else ("name", "data")
    if not _movable_placeholders(call, expr) or data_param not in params or forwarded(model, expr):
        return finding
    text = "".join(part.value for part in expr.values if isinstance(part, ast.Constant))
    name = re.sub(r"[_\-\s.:/]{2,}", "_", text).strip("_- .:/")
    keys = [dotted(part.value).replace(".", "_") for part in expr.values if isinstance(part, ast.FormattedValue)]
    data = call.args.get(data_param)
    taken = {str_value(k) for k in data.keys} if isinstance(data, ast.Dict) else set()
    if not re.fullmatch(r"[\w .:/-]+", name) or len(set(keys)) != len(keys) or taken & set(keys):
        return finding  # (a name with quotes or escapes is left to a person)
    return finding.with_fix(_static_event_name, UNSAFE, target=span(model, call.node), name=name, keys=keys,
                            name_arg=(name_param, params.index(name_param)),
                            data_arg=(data_param, params.index(data_param)),
                            first=data is not None and not isinstance(data, ast.Dict))


def _static_event_name(node, finding, edit):
    import libcst as cst

    data = finding.data
    index = find_arg(node, *data["name_arg"])
    fstring = node.args[index].value if index is not None else None
    if not isinstance(fstring, cst.FormattedString):
        return None
    values = [part.expression for part in fstring.parts if isinstance(part, cst.FormattedStringExpression)]
    args = list(node.args)
    args[index] = args[index].with_changes(value=string_like(fstring, data["name"]))
    entries = [cst.DictElement(cst.SimpleString(f'"{key}"'), value) for key, value in zip(data["keys"], values)]
    return merge_entries(node.with_changes(args=args), *data["data_arg"], entries, first=data["first"])


def _restyle_event_name(node, finding, edit):
    import libcst as cst

    if isinstance(node, (cst.SimpleString, cst.Name)):  # a name: the constant keeps its value for other readers
        return string_like(node, finding.data["name"])
    return None
