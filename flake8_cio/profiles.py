"""What a module says about people: the profiles it identifies (with what), and whether it may give anyone an
email address. Facts CIO302/CIO303 ask and the project summaries record (``summary``), so they sit below both."""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from . import sdk
from .records import IdentifyRecord, Profiles
from .scopes import Site, last_name, name_words, str_value
from .semantic import Model

if TYPE_CHECKING:
    from .semantic import CioCall

EMAIL = re.compile(r"[^@\s{}]+@[^@\s{}]+\.[A-Za-z]{2,}")
EMAIL_WORDS = {"email", "mail"}
ADDRESS_WORDS = {"address", "addr", "lower", "normalized", "normalised"}  # what may follow an email word
CREATION_ATTRIBUTES = {"email", "created_at"}
SDK_METHOD_NAMES = {name for methods in sdk.METHODS.values() for name in methods}


def profiles(model: Model) -> Profiles:
    """Whether the module may give anyone an email address; its identify calls; and whether it calls SDK-named
    methods on names of other project modules (``from app.clients import cio``), which only a read with the project
    can classify."""
    if "profiles" not in model.memo:
        identifies = []
        for call in model.cio_calls:
            person = identified(call)
            if person is not None:
                fn = call.site.function
                holder = fn.node.lineno if fn is not None and fn.parent is None and not call.site.deferred else 0
                identifies.append(IdentifyRecord(holder, call.node.lineno, person_key(model, person, call.site),
                                                 call.kind, creates(model, call)))
        pending = any(
            isinstance(site.node.func, ast.Attribute) and site.node.func.attr in SDK_METHOD_NAMES and
            model.cio_call_at(site) is None and model.ref_of(site.node.func.value, site.scope) is not None
            for site in model.sites) if model.linked is None else False
        model.memo["profiles"] = Profiles(any(_gives_email(model, c) for c in model.data_calls), tuple(identifies),
                                          pending)
    return model.memo["profiles"]


def identified(call: CioCall) -> ast.expr | None:
    if call.method != "identify":
        return None
    return call.args.get("user_id") if call.kind == sdk.ANALYTICS else call.args.get("id")


def creates(model: Model, call: CioCall) -> bool:
    return any(value.key in CREATION_ATTRIBUTES for value in model.values(call))


def person_key(model: Model, expr: ast.expr, site: Site) -> str:
    """The id as text, through a local that names it (``uid = user.id``); a local holding a call's result
    (``user = User.create(form)``) stays the local, as an attribute of it does."""
    value = model.value_of(expr, site.scope)
    return ast.unparse(value if isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)) else expr)


def _gives_email(model: Model, call: CioCall) -> bool:
    """Whether a call may give someone an email address: an `email` attribute, trait or identifier, an email as the
    id, a transactional email or invite event sent to an address, a merge by email; or a payload that cannot be read
    here (`**attrs`, traits or a request built elsewhere, operations built by code)."""
    if call.method in ("identify", "batch") or call.kind == sdk.APP:
        if call.star or any(_unreadable(model, call, param) for param in ("traits", "operations", "request")):
            return True
    for value in model.values(call):
        if value.key in ("email", "recipient") or value.key == "to" and call.method == "send_email":
            return True
        if value.role == "identifier" and is_email(value.expr):
            return True
    if call.method == "merge_customers":
        return any(str_value(call.args.get(p)) in ("email", None) for p in ("primary_id_type", "secondary_id_type"))
    return False


def _unreadable(model: Model, call: CioCall, param: str) -> bool:
    if param not in call.args:
        return False
    value = model.value_of(call.args[param], call.site.scope)
    if isinstance(value, ast.Call):
        called = last_name(value.func) or ""
        return not called.startswith("Send") and called != "dict"
    if isinstance(value, (ast.List, ast.Tuple)):
        return not all(isinstance(model.value_of(e, call.site.scope), ast.Dict) for e in value.elts)
    if isinstance(value, (ast.ListComp, ast.GeneratorExp)):  # [{"type": "person", ...} for m in members]
        return not isinstance(value.elt, ast.Dict)
    return not isinstance(value, ast.Dict)


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
    if isinstance(expr, ast.Attribute):  # user.email, db.get_user(pk).email: the attribute's name says it
        return _says_email(expr.attr)
    return isinstance(expr, ast.Name) and _says_email(expr.id)


def _says_email(name: str | None) -> bool:
    """A name for an address: an email word, not followed by what the name is really of (``email_owner_id``,
    ``old_email_profile_id`` name ids; ``billing_email``, ``email_address``, ``user.mail`` name addresses)."""
    words = name_words(name or "")
    return bool(words) and bool(set(words) & EMAIL_WORDS) and words[-1] in EMAIL_WORDS | ADDRESS_WORDS


def module_profiles(model: Model, module: str) -> Profiles:
    """A project module's profiles as a read with the project sees them: this module's own, a summary's when it
    needs nothing from other modules, else the module read again with the project (once per project)."""
    if module == model.module_name:
        return profiles(model)
    summary = model.linked.summary(module).profiles
    resolved = model.linked.memo.setdefault("profiles", {})
    if summary.pending and module not in resolved:
        resolved[module] = summary
        path = model.linked.module_path(module)
        try:
            text = path.read_text("utf-8")
            tree = ast.parse(text, str(path))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            return summary
        resolved[module] = profiles(Model(tree, text.splitlines(True), str(path), model.options, model.linked))
    return resolved.get(module, summary)
