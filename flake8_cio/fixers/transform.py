"""cio-fix's driver: map the engine's findings onto a libcst tree and call each rule's fix on its node.

A finding names its fix and carries what the fix needs (``Finding.data``); the fix itself lives beside its rule
(``FIXES`` in each ``flake8_cio/rules`` module). Here: finding each fix's node by span, imports (added only when
a fix asks, into the block isort would keep them in, aliased when the name is taken), dropping imports a fix made
unused, and reverting fixes whose result does not parse or adds a finding.
"""
from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from flake8_cio.engine import check_source, is_silenced
from flake8_cio.options import Options
from flake8_cio.types import SAFE, Finding

PASSES = 4  # a fix may expose another; more than this means a fix does not converge


@dataclass
class Result:
    source: str
    applied: list[Finding]  # fixes applied
    remaining: list[Finding]  # findings left after fixing


def _matches(code: str, prefixes) -> bool:
    return any(code.startswith(p) for p in prefixes)


def fix_source(source: str, filename: str, options: Options, *, unsafe: bool = False,
               select: frozenset[str] | None = None, ignore: frozenset[str] = frozenset(), apply: bool = True,
               unfixable: frozenset[str] = frozenset(), extend_unsafe: frozenset[str] = frozenset()) -> Result:
    """Fix until nothing more applies; raises SyntaxError for unparsable source. With apply=False, only the
    findings (selected, not silenced by noqa). ``unfixable`` codes (or prefixes) are never fixed; the safe fixes
    of ``extend_unsafe`` codes count as unsafe."""

    def findings_of(text: str) -> list[Finding]:
        lines = text.splitlines()
        return [f for f in check_source(text, filename, options)
                if (select is None or _matches(f.code, select)) and not _matches(f.code, ignore)
                and not is_silenced(lines[f.line - 1] if f.line <= len(lines) else "", f.code)]

    def wanted(f: Finding) -> bool:
        if not f.fix or _matches(f.code, unfixable):
            return False
        return unsafe or (f.safety == SAFE and not _matches(f.code, extend_unsafe))

    findings = findings_of(source)
    applied: list[Finding] = []
    for _ in range(PASSES if apply else 0):
        fixable = [f for f in findings if wanted(f)]
        if not fixable:
            break
        source, done, findings = _apply_checked(source, fixable, findings, findings_of)
        if not done:
            break
        applied.extend(done)
    return Result(source, applied, findings)


def _apply_checked(source, fixable, findings, findings_of):
    """Apply the fixes; if the result does not parse or has a finding the source did not, apply them one by one
    and keep only those that do neither."""
    outcome = _try(source, fixable, findings, findings_of)
    if outcome is not None or len(fixable) == 1:
        return outcome or (source, [], findings)
    good = [f for f in fixable if _try(source, [f], findings, findings_of) is not None]
    return (_try(source, good, findings, findings_of) if good else None) or (source, [], findings)


def _try(source, fixable, findings, findings_of):
    new_source, done = apply_fixes(source, fixable)
    if not done:
        return None
    try:
        after = findings_of(new_source)
    except SyntaxError:
        return None
    before = Counter(f.code for f in findings)
    before.subtract(f.code for f in done)
    if any(count > before[code] for code, count in Counter(f.code for f in after).items()):
        return None  # a fix added a finding (or did not remove its own)
    return new_source, done, after


def fix_functions() -> dict[str, Callable]:
    from flake8_cio.rules import FAMILIES

    return {name: fn for family in FAMILIES for name, fn in getattr(family, "FIXES", {}).items()}


def apply_fixes(source: str, findings: list[Finding]) -> tuple[str, list[Finding]]:
    """One pass: each finding's fix applied to the node at its target span; (new source, fixes applied)."""
    module = cst.parse_module(source)
    edit = Edit(source, module)
    fixer = _Fixer(findings, edit)
    tree = MetadataWrapper(module, unsafe_skip_copy=True).visit(fixer)
    if fixer.done:
        tree = edit.finish(tree)
    return tree.code, fixer.done


def _span(position) -> tuple[int, int, int, int]:
    return position.start.line, position.start.column, position.end.line, position.end.column


class _Fixer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, findings: list[Finding], edit: "Edit"):
        super().__init__()
        self.edit = edit
        self.functions = fix_functions()
        self.by_span: dict[tuple, list[Finding]] = {}
        for finding in findings:
            target = finding.data.get("target") or (finding.line, finding.col, finding.end_line, finding.end_col)
            self.by_span.setdefault(tuple(target), []).append(finding)
        self.done: list[Finding] = []

    def on_leave(self, original, updated):
        updated = super().on_leave(original, updated)
        if isinstance(original, cst.BaseExpression) and self.by_span:
            for finding in self.by_span.pop(_span(self.get_metadata(PositionProvider, original)), ()):
                replacement = self.functions[finding.fix](updated, finding, self.edit)
                if replacement is not None:
                    updated = replacement
                    self.done.append(finding)
        return updated


class Edit:
    """What fixes may ask of the module besides their node: names to refer to (imported if needed), imports to
    drop when unused, the source of a node."""

    def __init__(self, source: str, module: cst.Module):
        self.source = source
        self.module = module
        self.names: dict[tuple[str, str | None], str] = {}
        self.imports: list[tuple[str, str | None, str]] = []  # (module, name or None, local name)
        self.unused: set[str] = set()
        self.identifiers: set[str] | None = None  # every name the module binds or reads, when first asked

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def name_for(self, module: str, name: str | None = None) -> str:
        """An expression for ``module`` or ``module.name`` valid at module level: through an existing import,
        else a new one; a name the module already uses is never rebound (the import is qualified or aliased)."""
        key = (module, name)
        if key not in self.names:
            self.names[key] = self._existing(module, name) or self._new(module, name)
        return self.names[key]

    def drop_if_unused(self, local: str) -> None:
        """The import binding ``local`` goes if the fixed module no longer uses it."""
        self.unused.add(local)

    def _taken(self, name: str) -> bool:
        if self.identifiers is None:
            self.identifiers = _identifiers(self.source)
        return name in self.identifiers or any(local == name for _, _, local in self.imports)

    def _existing(self, module: str, name: str | None) -> str | None:
        for statement in _top_imports(self.module):
            node = statement.body[0]
            if isinstance(node, cst.Import):
                for alias in node.names:
                    dotted = _dotted(alias.name)
                    if dotted == module:
                        local = alias.asname.name.value if alias.asname else dotted
                        return f"{local}.{name}" if name else local
            elif name and not node.relative and node.module is not None and _dotted(node.module) == module \
                    and not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    if _dotted(alias.name) == name:
                        return alias.asname.name.value if alias.asname else name
        return None

    def _new(self, module: str, name: str | None) -> str:
        root = module.split(".")[0]
        if name is not None and not self._taken(name):
            self.imports.append((module, name, name))
            return name
        if not self._taken(root):
            self.imports.append((module, None, root))
            return f"{module}.{name}" if name else module
        local = "_".join(module.split(".")[-1:] + ([name] if name else []))
        while self._taken(local):
            local += "_"
        self.imports.append((module, name, local))
        return local

    def finish(self, tree: cst.Module) -> cst.Module:
        for module, name, local in self.imports:
            tree = _add_import(tree, module, name, local)
        if self.unused:
            tree = _drop_unused(tree, self.unused)
        return tree


def _identifiers(source: str) -> set[str]:
    """Every name the module binds or reads, in any scope: a new import must not shadow or be shadowed by one."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
    return names


def _dotted(node) -> str:
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return node.value


def _top_imports(module: cst.Module):
    """The module's unconditional top-level import lines (one import per line)."""
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 and \
                isinstance(statement.body[0], (cst.Import, cst.ImportFrom)):
            yield statement


def _header(body) -> int:
    """Index just past the module's import header: docstring, imports, and guards around imports
    (``try: import x / except ImportError: ...``)."""
    index = 0
    for statement in body:
        is_doc = index == 0 and isinstance(statement, cst.SimpleStatementLine) and \
            isinstance(statement.body[0], cst.Expr) and isinstance(statement.body[0].value, cst.SimpleString)
        is_import = isinstance(statement, cst.SimpleStatementLine) and \
            all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)
        is_guard = isinstance(statement, (cst.Try, cst.If)) and any(
            isinstance(s, cst.SimpleStatementLine) and isinstance(s.body[0], (cst.Import, cst.ImportFrom))
            for s in statement.body.body)
        if not (is_doc or is_import or is_guard):
            break
        index += 1
    return index


def _sort_key(statement) -> tuple:
    """isort's order (profile default): sections future, standard library, third party, local; in each, plain
    ``import x`` lines before ``from x import y``, then by module name."""
    node = statement.body[0]
    if isinstance(node, cst.Import):
        module, is_from = _dotted(node.names[0].name), False
    else:
        if node.relative:
            return 3, True, ""
        module, is_from = _dotted(node.module), True
    root = module.split(".")[0]
    section = 0 if root == "__future__" else 1 if root in sys.stdlib_module_names else 2
    return section, is_from, module.lower()


def _add_import(tree: cst.Module, module: str, name: str | None, local: str) -> cst.Module:
    """Add ``from module import name [as local]`` (merged into an existing ``from module import``) or
    ``import module``, in the import block isort would keep it in, below any import guard at the top."""
    alias = cst.ImportAlias(cst.parse_expression(name if name else module),
                            asname=cst.AsName(cst.Name(local)) if name and local != name else None)
    body = list(tree.body)
    imports = set(_top_imports(tree))
    lines = [i for i, s in enumerate(body[:_header(body)]) if s in imports]
    if name is not None:
        for i in lines:
            node = body[i].body[0]
            if isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None and \
                    _dotted(node.module) == module and not isinstance(node.names, cst.ImportStar):
                names = list(node.names)
                at = next((k for k, a in enumerate(names) if _dotted(a.name).lower() > name.lower()), len(names))
                if at == len(names):
                    names[-1] = names[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                    names.append(alias)
                else:
                    names.insert(at, alias.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
                body[i] = body[i].with_changes(body=[node.with_changes(names=names)])
                return tree.with_changes(body=body)
    text = f"from {module} import {cst.Module([]).code_for_node(alias)}" if name else f"import {module}"
    new = cst.parse_statement(text + "\n")
    key = _sort_key(new)
    blank = (cst.EmptyLine(),)
    same = [i for i in lines if _sort_key(body[i])[0] == key[0]]
    later = [i for i in lines if _sort_key(body[i])[0] > key[0]]
    if same:
        before = [i for i in same if _sort_key(body[i]) > key]
        if before and before[0] == same[0]:  # first of its block: takes the block's leading lines
            at = same[0]
            new = new.with_changes(leading_lines=body[at].leading_lines)
            body[at] = body[at].with_changes(leading_lines=())
        else:
            at = before[0] if before else same[-1] + 1
    elif later:  # a new section before the first later one
        at = later[0]
        new = new.with_changes(leading_lines=body[at].leading_lines)
        body[at] = body[at].with_changes(leading_lines=blank)
    elif lines:  # a new section after the last import
        at = lines[-1] + 1
        new = new.with_changes(leading_lines=blank)
    else:
        at = _header(body)
        new = new.with_changes(leading_lines=blank if at else ())
        if at == 0 and body:
            body[0] = body[0].with_changes(leading_lines=blank + tuple(body[0].leading_lines))
    body.insert(at, new)
    return tree.with_changes(body=body)


def _drop_unused(tree: cst.Module, names: set[str]) -> cst.Module:
    """Remove top-level imports of these names when nothing else in the module mentions them (comments above a
    removed line stay)."""
    code = tree.code
    unused = {n for n in names if len(re.findall(rf"(?<![\w.]){re.escape(n)}\b", code)) == 1}
    body, carried, imports = [], (), set(_top_imports(tree))
    for statement in tree.body:
        node = statement.body[0] if statement in imports else None
        if unused and node is not None and not isinstance(node.names, cst.ImportStar):
            kept = [a for a in node.names if (a.asname.name.value if a.asname else _dotted(a.name)) not in unused]
            if not kept:
                carried += tuple(line for line in statement.leading_lines if line.comment)
                continue
            if len(kept) != len(node.names):
                if not getattr(node, "lpar", None):
                    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=[node.with_changes(names=kept)])
        if carried:
            statement = statement.with_changes(leading_lines=(*carried, *statement.leading_lines))
            carried = ()
        body.append(statement)
    return tree.with_changes(body=body)
