"""CIO3xx: identity. The customer identifier should be a stable id, never an email address."""
from __future__ import annotations

import ast
from typing import Iterator

from ..types import UNSAFE, Rule, RuleDoc
from ..semantic import Model, dotted, name_tokens, str_value
from .event_names import EMAIL

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
            unsafe: `x.email` as the identifier becomes `x.id`, keeping `email=x.email` as an attribute on
            `identify`.
            """,
    )),
)
EMAIL_WORDS = {"email", "mail"}


def check(model: Model) -> Iterator:
    for call in model.data_calls:
        for value in model.values(call):
            if value.role == "identifier" and is_email(value.expr):
                yield model.finding(
                    "CIO301", value.expr,
                    f"email used as the customer id (`{value.key}`): a person who changes address becomes a second "
                    "profile and their history splits; identify by your stable user id and send `email` as an attribute",
                    fix="email-to-id" if _object_email(value.expr) else None, safety=UNSAFE,
                )


def _object_email(expr: ast.expr) -> bool:
    """`user.email`: an object that surely has an `id` too (unlike `settings.ADMIN_EMAIL`)."""
    return isinstance(expr, ast.Attribute) and expr.attr in ("email", "email_address") and \
        isinstance(expr.value, (ast.Name, ast.Attribute))


def is_email(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        if expr.func.attr in ("lower", "strip", "casefold"):
            return is_email(expr.func.value)
        if expr.func.attr == "get" and expr.args:
            return _says_email(str_value(expr.args[0]))
        return False
    if isinstance(expr, ast.Subscript):
        return _says_email(str_value(expr.slice))
    text = str_value(expr)
    if text is not None:
        return bool(EMAIL.fullmatch(text.strip()))
    name = dotted(expr)
    return name is not None and _says_email(name.rsplit(".", 1)[-1])


def _says_email(name: str | None) -> bool:
    return bool(name) and bool(name_tokens(name) & EMAIL_WORDS)
