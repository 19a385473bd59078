"""CIO3xx: identity. The customer identifier should be a stable id, never an email address."""
from __future__ import annotations

import ast
from typing import Iterator

from ..types import UNSAFE, Rule
from ..semantic import Model, dotted, name_tokens, str_value
from .event_names import EMAIL

RULES = (
    Rule("CIO301", "email-as-customer-id", "Email address used as the customer identifier", UNSAFE),
)
EMAIL_WORDS = {"email", "mail"}


def check(model: Model) -> Iterator:
    for call in model.cio_calls:
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
