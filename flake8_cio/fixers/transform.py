"""Apply the engine's findings to a libcst tree: each finding names its fix and its span; the node with that span
is rewritten, everything else is left byte-for-byte as it was. Imports are added (libcst's AddImportsVisitor,
after any ``__future__`` imports) and removed when they become unused."""
from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import PositionProvider

from flake8_cio.engine import check_source, is_silenced
from flake8_cio.options import Options
from flake8_cio.types import SAFE, Finding
from flake8_cio.rules.event_names import to_style

RUNTIME = "flake8_cio.runtime"
CALL_LEVEL = {"static-event-name", "region-keyword"}  # handled in leave_Call (region-keyword: when positional)
_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


@dataclass
class Result:
    source: str
    applied: list[Finding]  # fixes applied
    remaining: list[Finding]  # findings left after fixing


def fix_source(source: str, filename: str, options: Options, *, unsafe: bool = False,
               select: frozenset[str] | None = None, ignore: frozenset[str] = frozenset(), apply: bool = True,
               unfixable: frozenset[str] = frozenset(), unsafe_codes: frozenset[str] = frozenset()) -> Result:
    """Fix until nothing more applies (at most 4 passes: a fix may expose another); raises SyntaxError.
    With apply=False, only the findings (selected, not silenced by noqa). Codes or prefixes in ``unfixable`` are
    never fixed, those in ``unsafe_codes`` only with ``unsafe`` (the user's ``unfixable``, ``extend-unsafe-fixes``)."""
    applied: list[Finding] = []
    for _ in range(4 if apply else 0):
        findings = _wanted(check_source(source, filename, options), source, select, ignore)
        fixable = [f for f in findings if f.fix and not f.code.startswith(tuple(unfixable))
                   and (unsafe or (f.safety == SAFE and not f.code.startswith(tuple(unsafe_codes))))]
        if not fixable:
            break
        new_source, done = _apply(source, fixable)
        if new_source == source:
            break
        source = new_source
        applied.extend(done)
    remaining = _wanted(check_source(source, filename, options), source, select, ignore)
    return Result(source, applied, remaining)


def _wanted(findings, source, select, ignore):
    lines = source.splitlines()
    return [
        f for f in findings
        if (select is None or any(f.code.startswith(s) for s in select))
        and not any(f.code.startswith(i) for i in ignore)
        and not is_silenced(lines[f.line - 1] if f.line <= len(lines) else "", f.code)
    ]


def _apply(source: str, findings: list[Finding]) -> tuple[str, list[Finding]]:
    module = cst.parse_module(source)
    wrapper = cst.metadata.MetadataWrapper(module)
    context = CodemodContext(wrapper=wrapper)
    fixer = _Fixer(context, findings)
    tree = wrapper.visit(fixer)
    if fixer.done:
        tree = AddImportsVisitor(context).transform_module(tree)
        tree = RemoveImportsVisitor(context).transform_module(tree)
    return tree.code, fixer.done


def _span(position) -> tuple[int, int, int, int]:
    return position.start.line, position.start.column, position.end.line, position.end.column


class _Fixer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context: CodemodContext, findings: list[Finding]):
        super().__init__()
        self.context = context
        self.by_span: dict[tuple, list[Finding]] = {}
        for finding in findings:
            self.by_span.setdefault((finding.line, finding.col, finding.end_line, finding.end_col), []).append(finding)
        self.done: list[Finding] = []
        self.unwrap_await: set[tuple] = set()
        self.replaced_emails: dict[tuple, cst.BaseExpression] = {}  # span -> `x.email` turned into `x.id`

    def on_leave(self, original, updated):
        updated = super().on_leave(original, updated)  # leave_Call: the fixes that rewrite a whole call
        if isinstance(original, cst.BaseExpression):
            span = _span(self.get_metadata(PositionProvider, original))
            for finding in list(self.by_span.get(span, ())):
                if finding.fix in CALL_LEVEL:
                    continue
                self.by_span[span].remove(finding)
                self.original = original  # for import removal, which needs nodes of the parsed tree
                replacement = getattr(self, "fix_" + finding.fix.replace("-", "_"))(updated, finding)
                if replacement is not None:
                    updated = replacement
                    self.done.append(finding)
                    if finding.fix == "nonblocking":
                        self.unwrap_await.add(span)
                    elif finding.fix == "email-to-id":
                        self.replaced_emails[span] = original
        if isinstance(original, cst.Await) and \
                _span(self.get_metadata(PositionProvider, original.expression)) in self.unwrap_await:
            return updated.expression.with_changes(lpar=updated.lpar, rpar=updated.rpar)
        return updated

    def _arg_finding(self, original_arg: cst.Arg, fix: str) -> Finding | None:
        span = _span(self.get_metadata(PositionProvider, original_arg.value))
        finding = next((f for f in self.by_span.get(span, ()) if f.fix == fix), None)
        if finding is not None:
            self.by_span[span].remove(finding)
        return finding

    def leave_Call(self, original, updated):
        """Fixes that change the call around an argument: CIO201 moves placeholders into the event data, CIO405
        turns a positional region into a keyword."""
        args = list(updated.args)
        email = self._replaced_email(original)
        if email is not None:  # CIO301 on identify: the address stays, as an attribute
            return updated.with_changes(args=[*_ensure_comma(args), cst.Arg(email, keyword=cst.Name("email"),
                                                                             equal=_EQUAL)])
        for index, original_arg in enumerate(original.args):
            arg = args[index]
            if isinstance(arg.value, cst.FormattedString):
                finding = self._arg_finding(original_arg, "static-event-name")
                rewritten = _static_name(updated.with_changes(args=args), index, arg.value) if finding else None
                if rewritten is not None:
                    self.done.append(finding)
                    return rewritten
            elif arg.keyword is not None and arg.keyword.value == "region":
                finding = self._arg_finding(original_arg, "region-keyword")
                value = self.fix_region_keyword(arg.value, finding) if finding else None
                if value is not None:
                    args[index] = arg.with_changes(value=value)
                    self.done.append(finding)
                    updated = updated.with_changes(args=args)
            elif arg.keyword is None and arg.star == "":
                finding = self._arg_finding(original_arg, "region-keyword")
                if finding is not None:
                    value = self.fix_region_keyword(arg.value, finding) or arg.value
                    region = cst.Arg(value, keyword=cst.Name("region"), equal=_EQUAL)
                    args = [*args[:index], *args[index + 1:]]
                    self.done.append(finding)
                    return updated.with_changes(args=[*_clean_commas(args), region]) if args else \
                        updated.with_changes(args=[region])
        return updated

    def _replaced_email(self, call: cst.Call) -> cst.BaseExpression | None:
        """The `x.email` an identify call's id was, when it has no `email=` attribute yet."""
        if _last_name(call.func) != "identify" or any(a.keyword and a.keyword.value == "email" for a in call.args):
            return None
        ids = [a for i, a in enumerate(call.args) if (a.keyword is None and i == 0) or
               (a.keyword is not None and a.keyword.value == "id")]
        for arg in ids:
            email = self.replaced_emails.get(_span(self.get_metadata(PositionProvider, arg.value)))
            if email is not None:
                return email
        return None

    def need(self, module: str, obj: str | None = None) -> None:
        AddImportsVisitor.add_needed_import(self.context, module, obj)

    def unneed(self, replaced: cst.BaseExpression) -> None:
        """The import behind a replaced name or module attribute goes if nothing else uses it."""
        if isinstance(replaced, cst.Name):
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, replaced)
        elif isinstance(replaced, cst.Attribute) and isinstance(replaced.value, cst.Name):
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, replaced.value)

    # -- CIO101 ----------------------------------------------------------------------------------------------------
    def fix_drop_scale(self, node, finding):
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply):
            epoch = node.right if _is_scale(node.left) else node.left
            return epoch.with_changes(lpar=node.lpar, rpar=node.rpar) if node.lpar else epoch
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.FloorDivide, cst.Divide)):
            return node.with_changes(right=cst.parse_expression("10**9"))
        if isinstance(node, cst.Call):  # time.time_ns()
            return cst.BinaryOperation(node, cst.FloorDivide(), cst.parse_expression("10**9"))
        return None

    def fix_literal_to_seconds(self, node, finding):
        if not isinstance(node, cst.Integer):
            return None
        value = int(node.value.replace("_", ""))
        divisor = 10**3 if value < 10**14 else 10**6 if value < 10**17 else 10**9
        return cst.Integer(str(value // divisor))

    # -- CIO102, CIO103 -------------------------------------------------------------------------------------------------
    def fix_monotonic_to_time(self, node, finding):
        if not isinstance(node, cst.Call):
            return None
        if isinstance(node.func, cst.Attribute):
            return node.with_changes(func=node.func.with_changes(attr=cst.Name("time")))
        self.need("time")
        self.unneed(self.original.func)
        return node.with_changes(func=cst.parse_expression("time.time"))

    def fix_aware_datetime(self, node, finding):
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            return None
        owner = node.func.value
        if isinstance(owner, cst.Attribute):  # dt.datetime.now() -> dt.timezone.utc
            utc = cst.parse_expression(f"{cst.Module([]).code_for_node(owner.value)}.timezone.utc")
        else:
            self.need("datetime", "timezone")
            utc = cst.parse_expression("timezone.utc")
        method = node.func.attr.value
        if method == "today":
            node = node.with_changes(func=node.func.with_changes(attr=cst.Name("now")))
        return node.with_changes(args=[*node.args, cst.Arg(utc)] if node.args else [cst.Arg(utc)])

    def fix_number_to_datetime(self, node, finding):
        self.need("datetime", "datetime")
        self.need("datetime", "timezone")
        return cst.Call(cst.parse_expression("datetime.fromtimestamp"),
                        [cst.Arg(node), cst.Arg(cst.parse_expression("timezone.utc"))])

    # -- CIO201, CIO202 -------------------------------------------------------------------------------------------------
    def fix_restyle_event_name(self, node, finding):
        if not isinstance(node, cst.SimpleString):
            return None
        match = re.search(r"use '([^']*)'$", finding.message) or re.search(r'use "([^"]*)"$', finding.message)
        if not match:
            return None
        quote = node.quote
        return cst.SimpleString(f"{node.prefix}{quote}{match.group(1)}{quote}")

    # -- CIO301 -------------------------------------------------------------------------------------------------------
    def fix_email_to_id(self, node, finding):
        if not isinstance(node, cst.Attribute):
            return None
        return node.with_changes(attr=cst.Name("id"))

    # -- CIO401 -------------------------------------------------------------------------------------------------------
    def fix_cached_client(self, node, finding):
        if not isinstance(node, cst.Call):
            return None
        name = _last_name(node.func)
        factory = {"CustomerIO": "get_client", "APIClient": "get_app_client"}.get(name)
        if factory is None:
            return None
        self.need(RUNTIME, factory)
        self.unneed(self.original.func)
        return node.with_changes(func=cst.Name(factory))

    # -- CIO403 -------------------------------------------------------------------------------------------------------
    def fix_swap_key_name(self, node, finding):
        swap = {"APP": "TRACK", "TRACK": "APP", "app": "track", "track": "app", "App": "Track", "Track": "App"}

        def swapped(text: str) -> str | None:
            new = re.sub(r"(?<![A-Za-z])(APP|TRACK|app|track|App|Track)(?![a-z])", lambda m: swap[m.group(1)], text)
            return new if new != text else None

        target = node
        if isinstance(node, cst.Call) and node.args:
            target = node.args[0].value
        if isinstance(node, cst.Subscript) and isinstance(node.slice[0].slice, cst.Index):
            target = node.slice[0].slice.value
        if isinstance(target, cst.SimpleString):
            new = swapped(target.value)
            replacement = target.with_changes(value=new) if new else None
        elif isinstance(target, (cst.Name, cst.Attribute)):
            leaf = target.attr if isinstance(target, cst.Attribute) else target
            new = swapped(leaf.value)
            replacement = (target.with_changes(attr=cst.Name(new)) if isinstance(target, cst.Attribute)
                           else cst.Name(new)) if new else None
        else:
            return None
        if replacement is None:
            return None
        if target is node:
            return replacement
        return node.deep_replace(target, replacement)

    # -- CIO404 -------------------------------------------------------------------------------------------------------
    def fix_kwargs_to_data(self, node, finding):
        if not isinstance(node, cst.Call):
            return None
        named = {"customer_id", "anonymous_id", "name", "data", "id", "timestamp"}
        extra = [a for a in node.args if a.keyword is not None and a.keyword.value not in named]
        if not extra:
            return None
        entries = [cst.DictElement(cst.SimpleString(f'"{a.keyword.value}"'), a.value) for a in extra]
        has_data = any(a.keyword is not None and a.keyword.value == "data" for a in node.args) or \
            (len([a for a in node.args if a.keyword is None]) > 2)
        if has_data:
            return _merge_data(node.with_changes(args=_without(node.args, extra)), entries, position=2)
        # the first extra keyword becomes data={...} in place, keeping its comma and comments
        data = extra[0].with_changes(keyword=cst.Name("data"), value=cst.Dict(_commas(entries)))
        args = [data if a is extra[0] else a for a in node.args]
        return node.with_changes(args=_without(args, extra[1:]))

    # -- CIO405 -------------------------------------------------------------------------------------------------------
    def fix_region_keyword(self, node, finding):
        if isinstance(node, cst.SimpleString):  # region="eu"
            region = node.evaluated_value.strip().upper()
            if region not in ("EU", "US"):
                return None
            self.need("customerio", "Regions")
            return cst.parse_expression(f"Regions.{region}")
        return None

    # -- CIO501, CIO502, CIO601 ------------------------------------------------------------------------------------------
    def fix_nonblocking(self, node, finding):
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            return None
        receiver = node.func.value
        if isinstance(receiver, cst.Call) and _last_name(receiver.func) in ("nonblocking", "get_client"):
            return None
        self.need(RUNTIME, "nonblocking")
        wrapped = cst.Call(cst.Name("nonblocking"), [cst.Arg(receiver.with_changes(lpar=[], rpar=[]))])
        return node.with_changes(func=node.func.with_changes(value=wrapped))


def _is_scale(node) -> bool:
    code = cst.Module([]).code_for_node(node).replace("_", "").replace(" ", "")
    return code in {"1000", "1e3", "1000.0", "10**3", "1000000", "1e6", "10**6", "1000000000", "1e9", "10**9"}


def _last_name(node) -> str | None:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Name):
        return node.value
    return None


def _without(args, removed) -> list[cst.Arg]:
    """Arguments less some, the new last one taking the old last one's comma (and the layout after it)."""
    kept = [a for a in args if not any(a is r for r in removed)]
    if kept and args and kept[-1] is not args[-1]:
        kept[-1] = kept[-1].with_changes(comma=args[-1].comma)
    return kept


def _clean_commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """Drop the trailing comma a removed argument left on the new last argument."""
    if args and args[-1].comma is not cst.MaybeSentinel.DEFAULT:
        args = [*args[:-1], args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return args


def _merge_data(call: cst.Call, entries: list[cst.DictElement], position: int) -> cst.Call:
    """Add entries to the call's event data: into a `data=`/positional dict literal, around a non-literal one
    (``{**data, ...}``), or as a new ``data=`` keyword."""
    args = list(call.args)
    for index, arg in enumerate(args):
        is_data = (arg.keyword is not None and arg.keyword.value in ("data", "properties")) or \
            (arg.keyword is None and index == position and arg.star == "")
        if not is_data:
            continue
        if isinstance(arg.value, cst.Dict):
            elements = list(arg.value.elements)
            if elements and elements[-1].comma is cst.MaybeSentinel.DEFAULT:
                elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            value = arg.value.with_changes(elements=[*elements, *_commas(entries)])
        else:
            value = cst.Dict([cst.StarredDictElement(arg.value), *_commas(entries)])
        args[index] = arg.with_changes(value=value)
        return call.with_changes(args=args)
    pipelines = isinstance(call.func, cst.Attribute) and _last_name(call.func.value) == "analytics"
    keyword = cst.Name("properties" if pipelines else "data")
    return call.with_changes(args=[*_ensure_comma(args), cst.Arg(cst.Dict(_commas(entries)), keyword=keyword,
                                                                  equal=_EQUAL)])


def _ensure_comma(args: list[cst.Arg]) -> list[cst.Arg]:
    """Give the last argument a comma so that one can be appended (keeping a trailing comma as it is)."""
    if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
        args = [*args[:-1], args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))]
    return args


def _commas(entries):
    return [e.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) if i < len(entries) - 1 else e
            for i, e in enumerate(entries)]


def _static_name(call: cst.Call, index: int, fstring: cst.FormattedString) -> cst.Call | None:
    """The f-string's text without its placeholders, and the placeholders (simple names or attributes) as data."""
    text, entries = [], []
    for part in fstring.parts:
        if isinstance(part, cst.FormattedStringText):
            text.append(part.value)
        elif isinstance(part, cst.FormattedStringExpression) and isinstance(part.expression, (cst.Name, cst.Attribute)) \
                and part.conversion is None and part.format_spec is None:
            key = cst.Module([]).code_for_node(part.expression).replace(".", "_")
            entries.append(cst.DictElement(cst.SimpleString(f'"{key}"'), part.expression))
        else:
            return None
    name = re.sub(r"[_\-\s.:/]{2,}", "_", "".join(text)).strip("_- .:/")
    if not name or not entries:
        return None
    quote = fstring.start.lstrip("fFrR") or '"'
    args = list(call.args)
    args[index] = args[index].with_changes(value=cst.SimpleString(f"{quote}{name}{quote}"))
    return _merge_data(call.with_changes(args=args), entries, position=index + 1)
