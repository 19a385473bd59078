"""What the rules need to decide a fix and where it edits (on ``ast``), and the libcst pieces several fixes share.

The rule modules compute a fix's data when they report (``Finding.with_fix(function, safety, **data)``); the fix
function rewrites one libcst node, ``fix(node, finding, edit) -> node | None``, where
``edit`` is the driver's context (``name_for``, ``drop_if_unused``, ``code``). libcst is imported only inside fix
code, so linting never loads it.
"""
from __future__ import annotations

import ast
import re
from typing import Callable

from .. import frameworks
from ..semantic import CioCall, Model, Site, dotted, last_name
from ..types import Finding


def span(model: Model, node: ast.AST) -> tuple[int, int, int, int]:
    """A node's span as findings give it (character columns)."""
    found = model.finding("", node, "")
    return found.line, found.col, found.end_line, found.end_col


def statements_around(model: Model, site: Site) -> list[tuple[ast.stmt, str | None]]:
    """The statements of its function (or module) that enclose a call, outermost first, each with the field
    (``body``, ``handlers``, ``orelse``...) the next one sits in. Only statement lists are searched, by position:
    much cheaper than a parent map of every node, which linting would pay for."""
    body, path = _top_body(model, site), []
    while body:
        statement = next((s for s in body if within(site.node, s)), None)
        if statement is None:
            break
        path.append((statement, None))
        body = None
        for name, _ in ast.iter_fields(statement):
            inner = _statements_in(statement, name)
            if any(within(site.node, s) for s in inner):
                path[-1], body = (statement, name), inner
                break
    return path


def _top_body(model: Model, site: Site) -> list[ast.stmt]:
    return (site.function.node if site.function else model.tree).body


def _statements_in(statement: ast.stmt, field: str) -> list[ast.stmt]:
    """The statements a compound statement holds in a field (``body``, ``orelse``; the handlers' or cases' bodies)."""
    value = getattr(statement, field)
    if not isinstance(value, list) or not value or not isinstance(value[0], ast.AST):
        return []
    if isinstance(value[0], ast.stmt):
        return value
    return [s for part in value if isinstance(getattr(part, "body", None), list) for s in part.body]


#: Calls that only build a response (and the builtins they take): a ``return`` of these does no other work.
RESPONSE_BUILDERS = {"jsonify", "render_template", "render", "redirect", "make_response", "url_for", "JsonResponse",
                     "HttpResponse", "HttpResponseRedirect", "Response", "JSONResponse", "HTMLResponse",
                     "RedirectResponse", "PlainTextResponse", "len", "str", "int", "float", "bool", "dict", "list",
                     "tuple", "sorted"}


def only_customerio_after(model: Model, site: Site) -> bool:
    """Nothing but Customer.io calls, ``pass`` and a ``return`` that only builds the response run after the call in
    its function (in a loop: nothing else in the loop either): a failure of the call could change the response,
    but never skip other work."""
    calls = {call.node for call in model.cio_calls}

    def harmless(statement: ast.stmt) -> bool:
        if isinstance(statement, ast.Return):  # building the response is no other work; calling a service is
            return statement.value is None or all(last_name(n.func) in RESPONSE_BUILDERS for n in
                                                  ast.walk(statement.value) if isinstance(n, ast.Call))
        value = statement.value.value if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Await) \
            else getattr(statement, "value", None)
        return isinstance(statement, (ast.Pass, ast.Break, ast.Continue)) or \
            (isinstance(statement, ast.Expr) and value in calls)

    body, parent = _top_body(model, site), None
    for statement, field in statements_around(model, site):
        index = body.index(statement)
        others = body[:index] + body[index + 1:] if isinstance(parent, (ast.For, ast.AsyncFor, ast.While)) \
            else body[index + 1:]
        if not all(map(harmless, others)):
            return False
        body, parent = (_statements_in(statement, field) if field else []), statement
    return True


def _own_statement(model: Model, site: Site) -> ast.expr | None:
    """The call, or the ``await`` of it, when that is a statement of its own: nothing reads its result."""
    path = statements_around(model, site)
    value = path[-1][0].value if path and isinstance(path[-1][0], ast.Expr) else None
    return value if value is site.node or (isinstance(value, ast.Await) and value.value is site.node) else None


def result_discarded(model: Model, site: Site) -> bool:
    """``cio.track(...)`` or ``await cio.track(...)`` as a statement: nothing reads the result."""
    return _own_statement(model, site) is not None


def awaited_statement(model: Model, site: Site) -> ast.Await | None:
    """The ``await`` of a call that is a statement of its own (``await cio.track(...)``)."""
    value = _own_statement(model, site)
    return value if isinstance(value, ast.Await) else None


def failure_observed(model: Model, site: Site) -> bool:
    """Whether an exception raised by the call is seen before it leaves its function: inside the body of a ``try``
    with handlers, or inside a ``with`` (a context manager sees it: transactions roll back, ``suppress`` hides it)."""
    return any((isinstance(s, (ast.Try, getattr(ast, "TryStar", ast.Try))) and s.handlers and field == "body") or
               (isinstance(s, (ast.With, ast.AsyncWith)) and field == "body")
               for s, field in statements_around(model, site))


def within(inner: ast.AST, outer: ast.AST) -> bool:
    return (outer.lineno, outer.col_offset) <= (inner.lineno, inner.col_offset) and \
        (inner.end_lineno, inner.end_col_offset) <= (outer.end_lineno, outer.end_col_offset)


def loads(model: Model, name: str, scope) -> int:
    """How many times ``name`` is read in the scope that binds it (nested functions included)."""
    found = model.lookup(name, scope)
    if found is None:
        return 0
    return sum(1 for node in ast.walk(found.scope.node)
               if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load))


def forwarded(model: Model, node: ast.AST) -> bool:
    """A caller's argument that a wrapper function forwards to Customer.io: the call found is the wrapper's, so no
    fix may edit it by the SDK's signature (the model marks these)."""
    return hasattr(node, "lineno") and model.unfixable_at(model.position(node))


def edit_site(model: Model, call: CioCall, node: ast.AST, whole: ast.AST) -> tuple[str, ast.AST] | None:
    """Where a fix of ``node`` (part of ``whole``, a value that reaches ``call``) may edit: ("here", node) when it
    is written in the call, or in a definition the call is the only reader of; ("call", name) for the name at the
    call that holds ``whole``, when the definition has other readers (they must keep the value); else None."""
    if forwarded(model, node):
        return None
    if within(node, call.node):
        return "here", node
    scope = call.site.scope
    refs = [n for n in ast.walk(call.node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            and n is not call.node.func and within(node, model.value_of(n, scope))]
    if len(refs) != 1:
        return None
    ref = refs[0]
    direct = model.value_of(ref, scope, 1)
    if direct is not ref and within(node, direct) and loads(model, ref.id, scope) == 1:
        return "here", node
    return ("call", ref) if model.value_of(ref, scope) is whole else None


#: Decorators that see a handler's exceptions (transactions roll back, retries run): failure is observable there.
SEES_FAILURE = re.compile(r"atomic|transaction|retry|retries|backoff|task|catch|error", re.IGNORECASE)


def failure_is_only_an_error_response(model: Model, site: Site, client: ast.expr) -> bool:
    """Whether a Customer.io failure of the call does nothing but fail the request: in a request handler, with only
    Customer.io calls and the return after it, outside any ``try``/``with``, under no decorator that sees
    exceptions, outside tests, on a client the module owns (a parameter may be a test's Mock). Making the call
    non-blocking then changes nothing but the response's dependence on Customer.io, which is the reported bug;
    anywhere else a caller, a job queue's retry, a script's exit status or the work after the call would see it."""
    fn = site.function
    if fn is None or not frameworks.is_handler(model, fn) or model.is_test_file or failure_observed(model, site) or \
            not only_customerio_after(model, site):
        return False
    if any(SEES_FAILURE.search(dotted(d.func if isinstance(d, ast.Call) else d) or "") for d in fn.node.decorator_list):
        return False
    root = client
    while isinstance(root, ast.Attribute):
        root = root.value
    params = fn.node.args
    return not (isinstance(root, ast.Name) and root.id in
                {a.arg for a in (*params.posonlyargs, *params.args, *params.kwonlyargs)} - {"self", "cls"})


#: ``Finding.data`` of a fix that moves calls to ``flake8_cio.runtime``, for cio-fix to weigh against the project
#: (its SDK version, its dependencies, its tests' doubles of the SDK: fixers/gates.py): ``runtime`` is "calls" for
#: ``nonblocking(client)``, whose calls still go through the client's own methods, or "client" for a client
#: ``get_client()`` builds, which is no SDK object; ``sdk_major`` is the SDK major the module targets.
MOVES_CALLS, MOVES_CLIENT = "calls", "client"


def moves_to_runtime(model: Model, moves: str) -> dict:
    return {"runtime": moves, "sdk_major": model.sdk_major}


# -- libcst pieces shared by fixes (libcst is imported here, lazily, only when a fix runs) ----------------------
def comma():
    import libcst as cst

    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def keyword_arg(name: str, value):
    import libcst as cst

    equal = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
    return cst.Arg(value, keyword=cst.Name(name), equal=equal)


def string_like(node, text: str):
    """A string literal with ``text`` (plain characters), written with ``node``'s prefix and quotes."""
    import libcst as cst

    if isinstance(node, cst.FormattedString):
        quote, prefix = node.end, node.start[:-len(node.end)]
    elif isinstance(node, cst.SimpleString):
        quote, prefix = node.quote, node.prefix
    else:
        quote, prefix = '"', ""
    return cst.SimpleString(f"{prefix.replace('f', '').replace('F', '')}{quote}{text}{quote}")


def with_args(call, args: list, last=None):
    """The call with these arguments, every one but the last followed by a comma; the last gets ``last`` or the
    comma (with its layout and comment) the call's old last argument had."""
    import libcst as cst

    old_last = last or (call.args[-1].comma if call.args else cst.MaybeSentinel.DEFAULT)
    fixed = [a.with_changes(comma=comma()) if a.comma is cst.MaybeSentinel.DEFAULT and i < len(args) - 1 else a
             for i, a in enumerate(args)]
    if fixed:
        fixed[-1] = fixed[-1].with_changes(comma=old_last)
    return call.with_changes(args=fixed)


def find_arg(call, keyword: str, position: int | None):
    """Index of the argument passed as ``keyword=`` or at ``position``, None when absent."""
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == keyword:
            return index
        if arg.keyword is None and not arg.star and index == position:
            return index
    return None


def merge_entries(call, keyword: str, position: int | None, elements: list, first: bool = False):
    """Add dict elements to the call's payload argument (``data``, ``properties``, ``traits``): into a dict
    literal, around another expression (``{**(data or {}), ...}``; ours first when ``first``, so the author's
    values win), or as a new ``keyword={...}``."""
    import libcst as cst

    args = list(call.args)
    index = find_arg(call, keyword, position)
    if index is None or (isinstance(args[index].value, cst.Name) and args[index].value.value == "None"):
        new = keyword_arg(keyword, cst.Dict(_separated(elements)))
        if index is None:
            return with_args(call, [*args, new])
        args[index] = args[index].with_changes(value=new.value)
        return call.with_changes(args=args)
    value = args[index].value
    if isinstance(value, cst.Dict):
        old = list(value.elements)
        merged = [*elements, *old] if first else [*old, *elements]
        args[index] = args[index].with_changes(value=value.with_changes(elements=_separated(merged)))
    else:
        fallback = cst.BinaryOperation(value, cst.Or(), cst.Dict([]), lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        spread = cst.StarredDictElement(fallback)
        ordered = [*elements, spread] if first else [spread, *elements]
        args[index] = args[index].with_changes(value=cst.Dict(_separated(ordered)))
    return call.with_changes(args=args)


def keeping_comments(kept, *dropped):
    """``kept`` in place of a larger expression, with the comments that sat in the ``dropped`` whitespace moved
    before its closing parenthesis (added if it has none): a safe fix keeps comments."""
    import libcst as cst

    comments, indent = [], ""
    for space in dropped:
        if isinstance(space, cst.ParenthesizedWhitespace):
            comments += [line.comment.value for line in (space.first_line, *space.empty_lines) if line.comment]
            indent = space.last_line.value
    if not comments:
        return kept
    lines = [cst.EmptyLine(indent=False, whitespace=cst.SimpleWhitespace(indent), comment=cst.Comment(c))
             for c in comments[1:]]
    space = cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(comments[0])),
        empty_lines=lines, indent=False, last_line=cst.SimpleWhitespace(indent))
    lpar = kept.lpar or [cst.LeftParen()]
    rpar = list(kept.rpar) or [cst.RightParen()]
    rpar[-1] = rpar[-1].with_changes(whitespace_before=space)
    return kept.with_changes(lpar=lpar, rpar=rpar)


def _separated(elements: list) -> list:
    """Elements separated by ", ", keeping commas they already carry (with their comments)."""
    import libcst as cst

    return [e.with_changes(comma=comma()) if e.comma is cst.MaybeSentinel.DEFAULT and i < len(elements) - 1 else e
            for i, e in enumerate(elements)]


def reporter(messages: dict[str, str]) -> Callable[..., Finding]:
    """``report(model, code, node, at=None, **fields)``: a finding whose message is its code's one template, filled
    in; with ``at``, about a value computed at ``node`` that reaches a call at ``at`` (``Model.value_finding``)."""
    def report(model: Model, code: str, node: ast.AST, at: ast.expr | None = None, **fields: str) -> Finding:
        return model.value_finding(at, code, node, messages[code].format(**fields))
    return report
