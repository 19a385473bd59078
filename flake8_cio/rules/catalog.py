"""CIO7xx: the event catalog. Names and fields that campaigns key on, checked against the team's cio-catalog.toml.
Silent when no catalog is configured (option cio-catalog, or ./cio-catalog.toml)."""
from __future__ import annotations

import ast
from typing import Iterator

from .. import sdk
from ..catalog import Catalog, Event, find, load
from ..rule import Rule, RuleDoc
from ..types import NONE
from ..semantic import CioCall, Model, str_value

RULES = (
    Rule("CIO701", "unknown-event", "Event name not in the event catalog", NONE, RuleDoc(
        checklist="every event name is in the event catalog",
        what="""
            A literal event name (directly or through a local or constant) that the catalog does not
            list, with the closest catalogued name as a suggestion. Data Pipelines names are checked against
            `[pipelines.events]` when the catalog has that section; its reserved semantic events (`User Deleted`,
            `Device Created or Updated`...) are Customer.io's own and need no entry. Names not known statically are
            not reported.
            """,
        why="""
            Campaign triggers and segments are built from the catalogued names: an event sent as
            `order_complete` instead of `order_completed` never starts the campaign, silently.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "order_complete", {"order_id": order.id})
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "order_completed", {"order_id": order.id})
            """,
        fix="none: rename it to the suggestion, or add the event to the catalog.",
        options="`cio-catalog`.",
    )),
    Rule("CIO702", "undeclared-event-data", "Event data key not declared for that event in the catalog", NONE, RuleDoc(
        checklist="event data keys are declared for their event",
        what="""
            A key in literal event data (a dict literal, or keyword arguments) that the catalog does not
            declare for that event.
            """,
        why="""
            Messages read event data by name (`{{event.total}}`): a misspelt key renders empty and a
            segment filter on it never matches.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "order_completed", {"order_id": order.id, "totl": order.total})
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "order_completed", {"order_id": order.id, "total": order.total})
            """,
        fix="none.",
        options="`cio-catalog`.",
    )),
    Rule("CIO703", "missing-event-data", "Event data lacks a key the catalog marks required", NONE, RuleDoc(
        checklist="events carry the data the catalog requires",
        what="An event sent with literal data that lacks a key the catalog marks `required = true`.",
        why="""
            The messages and segments built on the event assume the key is there: they render blanks or
            skip the person.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "order_completed", {"total": order.total})
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.track(user.id, "order_completed", {"order_id": order.id, "total": order.total})
            """,
        fix="none.",
        options="`cio-catalog`.",
    )),
    Rule("CIO704", "undeclared-attribute", "Person attribute not declared in the catalog", NONE, RuleDoc(
        checklist="person attributes are declared in the catalog",
        what="""
            A keyword attribute of `identify` that the catalog's `[attributes]` does not declare (checked
            only when the catalog declares attributes).
            """,
        why="""
            A typo (`frist_name`) creates a new attribute on every profile, while the segments and
            messages keep reading the real one, which never changes.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.id, frist_name=user.first_name, plan="pro")
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.id, plan="pro", email=user.email)
            """,
        fix="none.",
        options="`cio-catalog`.",
    )),
    Rule("CIO705", "attribute-type-mismatch", "Literal attribute or event data value of the wrong type for the catalog", NONE, RuleDoc(
        checklist="literal values have the catalog's type",
        what="""
            A literal attribute or event data value whose type is not the catalog's (a string where it
            says `timestamp`, `number` or `integer`, a number where it says `string`, ...).
            """,
        why="""
            Segment conditions compare by type: "seats greater than 2" never matches the string `"3"`,
            and a date condition never matches `"yesterday"`.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.id, seats="3")
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.id, seats=3)
            """,
        fix="none.",
        options="`cio-catalog`.",
    )),
)


def check(model: Model) -> Iterator:
    path = find(model.options.catalog)
    if path is None:
        return
    catalog = load(path)
    for call in model.data_calls:
        if call.method in sdk.EVENT_METHODS or (call.kind == sdk.ANALYTICS and call.method == "track"):
            yield from _event(model, catalog, call)
        elif call.method == "identify" and call.kind != sdk.ANALYTICS:
            yield from _attributes(model, catalog, call)


def _event(model: Model, catalog: Catalog, call: CioCall) -> Iterator:
    events = catalog.pipelines_events if call.kind == sdk.ANALYTICS else catalog.events
    written = call.args.get("event" if call.kind == sdk.ANALYTICS else "name")
    if events is None or written is None:
        return
    name_expr = model.value_of(written, call.site.scope)
    name = model.text_of(written, call.site.scope)
    if name is None or call.kind == sdk.ANALYTICS and name in sdk.RESERVED_PIPELINES_EVENTS:
        return  # Customer.io's own semantic events (`User Deleted`) need no catalog entry, and are never renamed
    event = events.get(name)
    if event is None:
        guess = catalog.suggest(name, events)
        yield model.value_finding(
            written, "CIO701", name_expr,
            f"event {name!r} is not in the catalog ({catalog.path}): a campaign trigger written for the catalogued "
            f"name never fires; {'did you mean ' + repr(guess) + '?' if guess else 'add it to the catalog'}",
        )
        return
    items = _data_items(model, call)
    if items is None:
        return
    yield from _fields(model, catalog, event, items, call.node)


def _data_items(model: Model, call: CioCall) -> list[tuple[str, ast.expr, ast.AST]] | None:
    """(key, value, node to report) of literal event data; None when the data is not known statically."""
    data = call.args.get("properties" if call.kind == sdk.ANALYTICS else "data")
    items = [(key, value, value) for key, value in call.extra.items()]
    if data is not None:
        data = model.value_of(data, call.site.scope)
        if not isinstance(data, ast.Dict) or any(str_value(k) is None for k in data.keys):
            return None
        items += [(k.value, v, k) for k, v in zip(data.keys, data.values)]
    elif call.star or call.partial:  # a partial's data may come when it is called
        return None
    return items


def _fields(model: Model, catalog: Catalog, event: Event, items, call_node) -> Iterator:
    yield from _declared(model, catalog, event.fields, items, "CIO702",
                         lambda key: f"data key {key!r} is not declared for event {event.name!r} in the catalog",
                         "declare it or drop it")
    missing = [name for name in event.required if name not in {key for key, _, _ in items}]
    if missing:
        yield model.finding(
            "CIO703", call_node,
            f"event {event.name!r} is sent without required data {', '.join(map(repr, missing))} (catalog): "
            "messages and segments that use it break",
        )


def _attributes(model: Model, catalog: Catalog, call: CioCall) -> Iterator:
    """The attributes written as keywords at the call, checked for their name and type; those a wrapper puts under
    its own keyword (``def set_seats(cid, n): cio.identify(cid, seats=n)``), for the type of what the caller
    passes: the keyword is checked in the wrapper, where it is written."""
    if not catalog.attributes:
        return
    written = {keyword.arg for keyword in call.node.keywords}
    for keyword in call.node.keywords:  # **{"plan": ...}, **attrs of a dict literal
        splat = model.value_of(keyword.value, call.site.scope) if keyword.arg is None else None
        if isinstance(splat, ast.Dict):
            written.update(str_value(key) for key in splat.keys)
    items = [(key, model.value_of(value, call.site.scope), value) for key, value in call.extra.items()]
    yield from _declared(model, catalog, catalog.attributes, [item for item in items if item[0] in written],
                         "CIO704", lambda key: f"attribute {key!r} is not declared in the catalog: a typo creates a "
                                               "new attribute that segments never read", "declare it")
    for key, value, _ in items:
        if key not in written and key in catalog.attributes:
            yield from _type(model, catalog.attributes[key], value, f"attribute {key!r}")


def _declared(model: Model, catalog: Catalog, fields: dict, items, code: str, undeclared, otherwise: str) -> Iterator:
    """Each (key, value, node): undeclared keys reported with the closest declared one, declared ones type-checked."""
    for key, value, node in items:
        spec = fields.get(key)
        if spec is None:
            guess = catalog.suggest(key, fields)
            yield model.finding(code, node, f"{undeclared(key)}; {f'did you mean {guess!r}?' if guess else otherwise}")
        else:
            yield from _type(model, spec, value, f"{'attribute' if code == 'CIO704' else 'data key'} {key!r}")


def _type(model: Model, spec, value: ast.expr, what: str) -> Iterator:
    if isinstance(value, ast.Constant) and value.value is not None and not spec.accepts(value.value):
        yield model.finding(
            "CIO705", value,
            f"{what} is a {type(value.value).__name__} literal but the catalog says {spec.type}: "
            "comparisons in segments fail on the wrong type",
        )
