"""CIO3xx: identity. The customer identifier should be a stable id, never an email address."""
from __future__ import annotations

import ast
from typing import Iterator

from .. import sdk
from ..rule import Rule, RuleDoc
from ..types import UNSAFE
from ..profiles import is_email
from ..semantic import Model, str_value
from .fixing import find_arg, forwarded, keyword_arg, merge_entries, span, with_args, within

RULES = (
    Rule("CIO301", "email-as-customer-id", "Email address used as the customer identifier", UNSAFE, RuleDoc(
        checklist="people are identified by a stable id, not their email",
        what="""
            An email used as the customer identifier: the first argument or `id=`/`customer_id=` of the
            Track client, and the Data Pipelines `user_id=`, when it is `x.email`, an `email` variable, `form["email"]`,
            `data.get("email")` or an address literal. `email=` attributes and `identifiers={"email": ...}`, the documented
            forms, are fine.
            """,
        why="""
            Customer.io infers the identifier type from its shape: an email-looking id is treated as
            `email`, so when the person changes address a second profile appears, history splits, and messages go to both.
            """,
        wrong="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.email, plan="pro")
            """,
        right="""
            from customerio import CustomerIO
            cio = CustomerIO(SITE_ID, API_KEY)
            cio.identify(user.id, email=user.email, plan="pro")
            """,
        fix="""
            unsafe: `x.email` as the identifier becomes `x.id` on calls that write to the profile, keeping the
            address on `identify` (`email=x.email`, or the `email` trait on Data Pipelines); never on `delete`,
            `suppress`, `unsuppress` or `delete_device`, whose profile's id may really be the email.
            """,
    )),
)


def check(model: Model) -> Iterator:
    for call in model.data_calls:
        for value in model.values(call):  # what it holds, or a name that says so (`email = msg["to"][0]`)
            if value.role == "identifier" and (is_email(value.expr) or value.at is not None and is_email(value.at)):
                yield _email_to_id(model, call, value, model.value_finding(
                    value.at, "CIO301", value.expr,
                    f"email used as the customer id (`{value.key}`): a person who changes address becomes a second "
                    "profile and their history splits; identify by your stable user id and send `email` as an attribute",
                ))


def _object_email(expr: ast.expr) -> bool:
    """`user.email`: an object that surely has an `id` too (unlike `settings.ADMIN_EMAIL`)."""
    return isinstance(expr, ast.Attribute) and expr.attr in ("email", "email_address") and \
        isinstance(expr.value, (ast.Name, ast.Attribute))


# -- fixes (libcst is imported inside them only) --------------------------------------------------------------------
#: Calls that write to the profile they name. delete/suppress/unsuppress/delete_device act on the profile that
#: exists, whose id may really be the email: pointing them at `x.id` would act on someone else, or no one.
WRITES = {"identify", "track", "pageview", "backfill", "add_device", "page", "screen", "group"}


def _email_to_id(model: Model, call, value, finding):
    """`x.email` written at the call becomes `x.id`; an identify keeps the address as an attribute (`email=` on the
    Track API, the `email` trait on Data Pipelines, which has no such parameter) unless it already sends one."""
    expr = value.expr
    if call.method not in WRITES or not _object_email(expr) or not within(expr, call.node) or forwarded(model, expr):
        return finding
    params = sdk.METHODS[call.kind][call.method].params
    keep_email = None
    if call.method == "identify" and call.kind == sdk.ANALYTICS:
        traits = call.args.get("traits")
        if not (isinstance(traits, ast.Dict) and "email" in {str_value(k) for k in traits.keys}):
            keep_email = ("traits", params.index("traits"))
    elif call.method == "identify":
        if call.star:
            return finding  # `**attrs` may hold an email already: adding one could raise TypeError
        if "email" not in call.extra:
            keep_email = ("email", None)
    return finding.with_fix(_fix_email_to_id, UNSAFE, target=span(model, call.node),
                            arg=(value.key, params.index(value.key)), keep_email=keep_email,
                            first=keep_email is not None and call.args.get("traits") is not None)


def _fix_email_to_id(node, finding, edit):
    import libcst as cst

    index = find_arg(node, *finding.data["arg"])
    email = node.args[index].value if index is not None else None
    if not isinstance(email, cst.Attribute):
        return None
    args = list(node.args)
    args[index] = args[index].with_changes(value=email.with_changes(attr=cst.Name("id")))
    node = node.with_changes(args=args)
    keep = finding.data["keep_email"]
    if keep is None:
        return node
    if keep[0] == "email":
        return with_args(node, [*node.args, keyword_arg("email", email)])
    element = cst.DictElement(cst.SimpleString('"email"'), email)
    return merge_entries(node, *keep, [element], first=finding.data["first"])
