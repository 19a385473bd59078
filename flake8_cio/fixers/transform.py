"""cio-fix's driver: apply the engine's findings, each by calling its rule's fix on the libcst node at its span.

A finding carries its fix, the rule module's function itself (``Finding.fix``), and what the fix needs
(``Finding.data``). Here: parsing each target expression's text and splicing the
rewrite back (the rest of the file never goes through libcst), imports (added only when a fix asks, into the
block isort would keep them in, aliased or qualified when the name is taken), dropping imports a fix made unused,
and reverting fixes that fail, whose result does not parse or that add a finding (which one is said, and the
finding is left without a fix: it is not offered where it cannot apply).
"""
from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from flake8_cio.engine import check_source, is_silenced, summarize
from flake8_cio.frozen import replace
from flake8_cio.options import Options
from flake8_cio.project import find_project
from flake8_cio.types import NONE, SAFE, UNSAFE, Finding, strict

from .gates import RuntimeGate
from .history import fingerprint, split_new
from .layout import relayout

PASSES = 4  # a fix may expose another; more than this means a fix does not converge


@dataclass
class Result:
    """One source's fixing: the new text, the fixes applied, the findings left, and fixes held back or reverted."""

    source: str
    applied: list[Finding]  # fixes applied
    remaining: list[Finding]  # findings left after fixing
    # (finding, why): safe fixes moving calls to flake8_cio.runtime, made unsafe by the project (gates.py)
    gated: list[tuple[Finding, str]] = field(default_factory=list)
    failures: list[tuple[Finding, str]] = field(default_factory=list)  # fixes that failed (bugs), reverted
    # findings left whose fix would add a finding (or leave its own), so it is not made: why; they carry no fix
    undone: dict[Finding, str] = field(default_factory=dict)


def _matches(code: str, prefixes) -> bool:
    return any(code.startswith(p) for p in prefixes)


def fix_source(source: str, filename: str, options: Options, *, unsafe: bool = False,
               select: frozenset[str] | None = None, ignore: frozenset[str] = frozenset(), apply: bool = True,
               unfixable: frozenset[str] = frozenset(), extend_unsafe: frozenset[str] = frozenset(),
               gate: Callable[[], RuntimeGate] | None = None, runtime_declared: bool = True,
               max_line_length: int = 79, at_source: bool = False) -> Result:
    """Fix until nothing more applies; raises SyntaxError for unparsable source. With apply=False, only the
    findings (selected, not silenced by noqa). A fix whose result would have a finding the source did not have
    is not made, and the fixes left unmade (unsafe ones in a safe run, all with apply=False) are tried without
    keeping them, so that a finding whose fix cannot apply carries none (``undone`` says why). With ``at_source``
    the findings left are those of the source as given, where it has them (nothing is written: --check, --diff).
    ``unfixable`` codes (or prefixes) are never fixed; the safe fixes
    of ``extend_unsafe`` codes count as unsafe, and so do those moving calls to ``flake8_cio.runtime`` that the
    project's gate holds back (``gate()``, asked only when there are such fixes; ``runtime_declared=False`` instead:
    flake8-cio is no runtime dependency, nothing else).
    No fixed line grows past the longest line of the file or ``max_line_length`` (flake8's, default 79), whichever
    is more (layout.py)."""
    limit = max([len(line) for line in source.splitlines()] + [max_line_length])
    undeclared = RuntimeGate(undeclared="" if runtime_declared else "flake8-cio is not a runtime dependency")
    gate = gate or (lambda: undeclared)
    gated: list[tuple[Finding, str]] = []  # every finding made unsafe by the gate, in any pass, and why

    def findings_of(text: str) -> list[Finding]:
        starts = line_starts(text)
        found = [f for f in check_source(text, filename, options)
                 if (select is None or _matches(f.code, select)) and not _matches(f.code, ignore)
                 and not is_silenced(text[starts[f.line - 1]:starts[min(f.line, len(starts) - 1)]], f.code)]
        if not any(f.data.get("runtime") and f.safety == SAFE for f in found):
            return found
        made = []
        for f in found:
            moves = f.fix and f.safety == SAFE and f.data.get("runtime")
            why = moves and gate().reason(f.data, adds_import=not _runtime_imported(text))
            made.append(replace(f, safety=UNSAFE) if why else f)
            gated.extend([(made[-1], why)] if why else [])
        return made

    def wanted(f: Finding) -> bool:
        if not f.fix or _matches(f.code, unfixable) or attempts.tried(f):
            return False
        return unsafe or (f.safety == SAFE and not _matches(f.code, extend_unsafe))

    attempts = _Attempts(findings_of, limit, _first_party(filename, options))
    findings = found = findings_of(source)
    applied: list[Finding] = []
    for _ in range(PASSES if apply else 0):
        fixable = [f for f in findings if wanted(f)]
        if not fixable:
            break
        source, done, findings = attempts.apply_checked(source, fixable, findings)
        if not done:
            break
        applied.extend(done)
    # a trial of the fixes left, kept or not: a finding's fix is offered only where a run that makes it would
    # (those judged on an earlier pass's text are judged again on this one)
    trial = [f for f in findings if f.fix and not _matches(f.code, unfixable) and not attempts.failed(f)
             and attempts.rejection(f) is None]
    if trial:
        attempts.apply_checked(source, trial, findings)
    kept = [(f, why) for f, why in gated
            if any(f is g for g in (*applied, *findings)) and attempts.rejection(f) is None]
    undone = [attempts.rejection(f) for f in findings]
    findings = [f.with_fix(None, NONE) if why else f
                for f, why in zip(_as_in(findings, found) if at_source else findings, undone)]
    return Result(source, applied, findings, kept, attempts.failures,
                  {f: why for f, why in zip(findings, undone) if why})


def _as_in(findings: list[Finding], found: list[Finding]) -> list[Finding]:
    """The findings left where the source as given has them (place, and message, which may quote a line), each
    paired with the source's finding of its fingerprint, in order: as no fix is kept that adds a finding, each
    finding left is one the source has."""
    places: dict[str, list[Finding]] = {}
    for f in found:
        places.setdefault(_fingerprint(f), []).append(f)
    return [replace(f, line=g.line, col=g.col, end_line=g.end_line, end_col=g.end_col, message=g.message)
            for f in findings for g in [places[_fingerprint(f)].pop(0)]]


def _first_party(filename: str, options: Options) -> Callable[[str], bool]:
    """Whether a top-level module is the project's own, isort's first party (a package or module in its root, its
    src folder or above the file's top package), as the linter finds the project, also with project analysis off
    (the question reads no module)."""
    project = find_project(filename, replace(options, project_analysis=True), summarize)
    return lambda name: project is not None and project.module_path(name) is not None


@lru_cache(maxsize=8)
def _runtime_imported(source: str) -> bool:
    """Whether the module imports flake8_cio.runtime already (then a fix adds no new need of flake8-cio)."""
    if "flake8_cio" not in source:  # the common case, without a parse
        return False
    nodes = list(ast.walk(ast.parse(source)))
    modules = [n.module or "" for n in nodes if isinstance(n, ast.ImportFrom)]
    modules += [a.name for n in nodes if isinstance(n, ast.Import) for a in n.names]
    return any(m == "flake8_cio.runtime" or m.startswith("flake8_cio.runtime.") for m in modules)


class FixError(Exception):
    """A fix raised, or made code that does not parse: a bug in that fix (under pytest it fails the test)."""


@dataclass
class _Attempts:
    """Applying a pass's fixes and checking the result. A fix is judged alone: one that fails is recorded with the
    error (``failures``), one whose result has a finding the source did not have with that finding
    (``rejected``, by the finding's fingerprint: code and message, which do not move with the lines); neither is
    tried again, and neither undoes the others."""

    findings_of: Callable[[str], list[Finding]]
    limit: int
    first_party: Callable[[str], bool]
    failures: list[tuple[Finding, str]] = field(default_factory=list)
    rejected: list[tuple[Finding, str]] = field(default_factory=list)  # why each of these findings' fix is not made

    def failed(self, finding: Finding) -> bool:
        """Whether the fix of a finding with this one's fingerprint failed in an earlier pass."""
        return _fingerprint(finding) in {_fingerprint(f) for f, _ in self.failures}

    def tried(self, finding: Finding) -> bool:
        """Whether the fix of a finding with this one's fingerprint failed or was rejected in an earlier pass: it
        is not tried again."""
        return self.failed(finding) or _fingerprint(finding) in {_fingerprint(f) for f, _ in self.rejected}

    def rejection(self, finding: Finding) -> str | None:
        """Why this very finding's fix is not made, None when it was not judged so."""
        return next((why for f, why in self.rejected if f is finding), None)

    def apply_checked(self, source, fixable, findings):
        """Apply the fixes; if that fails or the result has a finding the source did not, try each alone and apply
        those that pass: together, or, when together they do not, the first now and the others in the next pass."""
        outcome = self.attempt(source, fixable, findings, alone=len(fixable) == 1)
        if outcome is None and len(fixable) > 1:
            passed = [o for o in (self.attempt(source, [f], findings, alone=True) for f in fixable) if o is not None]
            together = [f for _, done, _ in passed for f in done]
            outcome = (self.attempt(source, together, findings) if len(passed) > 1 else None) or \
                next(iter(passed), None)
        return outcome or (source, [], findings)

    def attempt(self, source, fixable, findings, alone: bool = False):
        """(new source, fixes made, its findings), or None when the fixes are not kept; a fix tried ``alone`` that
        fails or adds a finding is recorded (tried with others, the one at fault is not known)."""
        try:
            new_source, done = apply_fixes(source, fixable, self.limit, self.first_party)
            after = self.findings_of(new_source) if done else None
        except Exception as error:  # a bug in a fix: under tests it fails; in use, it is reported and reverted
            if strict():
                raise FixError(f"{', '.join(f.code for f in fixable)} fix failed") from error
            if alone:
                self.failures.append((fixable[0], f"{type(error).__name__}: {error}"))
            return None
        if not done:
            return None
        added, _ = split_new(after, [f for f in findings if not any(f is d for d in done)])
        if added:
            if alone:
                self.rejected.append((done[0], _why(added, done[0])))
            return None
        return new_source, done, after


def _fingerprint(finding: Finding) -> str:
    return fingerprint(finding.code, finding.message)


def _why(added: list[Finding], fixed: Finding) -> str:
    """Why a fix is not made: the findings its result would have that the source has not."""
    return "; ".join("the fix would leave its finding" if _fingerprint(f) == _fingerprint(fixed) else
                     f"the fix would add {f.code} ({f.message})" for f in added)


def apply_fixes(source: str, findings: list[Finding], limit: int | None = None,
                first_party: Callable[[str], bool] = lambda name: False) -> tuple[str, list[Finding]]:
    """One pass: each finding's fix applied to the node at its target span; (new source, fixes applied); an import
    a fix asks for goes in isort's block for it (``first_party``: which top-level modules are the project's).

    Only the text of each outermost target is parsed with libcst and rewritten, then spliced back (as ruff applies
    edits): the rest of the file is never parsed, walked or printed by libcst."""
    starts = line_starts(source)

    def offset(line: int, col: int) -> int:
        return starts[line - 1] + col

    by_span: dict[tuple, list[Finding]] = {}
    for finding in findings:
        target = finding.data.get("target") or (finding.line, finding.col, finding.end_line, finding.end_col)
        by_span.setdefault(tuple(target), []).append(finding)
    groups: list[list[tuple]] = []  # outermost target first, then those inside it (a partial overlap is skipped)
    for span in sorted(by_span, key=lambda s: (offset(*s[:2]), -offset(*s[2:]))):
        if groups and offset(*span[2:]) <= offset(*groups[-1][0][2:]):
            groups[-1].append(span)
        elif not groups or offset(*span[:2]) >= offset(*groups[-1][0][2:]):
            groups.append([span])
    edit = Edit(source, first_party)
    pieces, done = [], []

    def fix_group(outer: tuple, group: list[tuple]):
        begin, end = offset(*outer[:2]), offset(*outer[2:])
        line = source[starts[outer[0] - 1]:starts[outer[0]]]
        place = (line[:len(line) - len(line.lstrip(" \t"))], outer[1],
                 len(source[end:starts[outer[2]]].rstrip("\r\n")), limit)
        point = edit.checkpoint()
        text, applied, too_long = _fix_text(source[begin:end], outer, {s: by_span[s] for s in group}, edit, place)
        if not applied:
            edit.rollback(point)  # the imports the fix asked for go with it
        return (begin, end, text), applied, too_long

    for index, group in enumerate(groups):
        piece, applied, too_long = fix_group(group[0], group)
        wider = edit.enclosing_call(group[0]) if too_long else None
        others = [offset(*g[0][:2]) for g in groups[:index] + groups[index + 1:]]
        if wider and not any(offset(*wider[:2]) <= at < offset(*wider[2:]) for at in others):
            piece, applied, _ = fix_group(wider, group)  # a call around the edit can be split where it cannot
        if applied:
            pieces.append(piece)
            done.extend(applied)
    if not done:
        return source, []
    fixed = _splice(source, pieces + edit.import_pieces())
    return edit.drop_unused(fixed), done


def line_starts(source: str) -> list[int]:
    """Offset of each line's first character, lines ending as Python's tokenizer ends them (a form feed or other
    character ``str.splitlines`` breaks on does not end a line), so that ``ast`` line numbers index it."""
    return [0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", source)] + [len(source)]


def _splice(source: str, pieces: list[tuple[int, int, str]]) -> str:
    out, at = [], 0
    for begin, end, text in sorted(pieces, key=lambda p: (p[0], p[1])):
        out += [source[at:begin], text]
        at = end
    return "".join(out) + source[at:]


def _fix_text(text: str, outer: tuple, targets: dict[tuple, list[Finding]], edit: "Edit", place: tuple):
    """Rewrite one expression's text: its fixes, and those of the targets inside it, applied on libcst nodes, laid
    out as it was (``place``: the line's indentation, the columns before and after it, the line length limit)."""
    try:
        node = cst.parse_expression(f"({text})")
    except cst.ParserSyntaxError:
        return text, [], False
    node = original = node.with_changes(lpar=node.lpar[1:], rpar=node.rpar[:-1])
    if list(targets) == [outer]:
        fixer = _Fixer({}, edit)
        node = fixer.fix(node, targets[outer])
    else:  # positions inside the snippet, counted as in the file
        line, col = outer[:2]
        relative = {(s[0] - line + 1, s[1] - col if s[0] == line else s[1],
                     s[2] - line + 1, s[3] - col if s[2] == line else s[3]): found for s, found in targets.items()}
        fixer = _Fixer(relative, edit)
        module = cst.Module([cst.SimpleStatementLine([cst.Expr(node)])])
        node = MetadataWrapper(module, unsafe_skip_copy=True).visit(fixer).body[0].body[0].value
    laid_out = relayout(text, original, node, *place) if fixer.done else None
    if laid_out is None:  # (text, fixes made, whether only the line length stopped them)
        return text, [], bool(fixer.done)
    return cst.Module([]).code_for_node(laid_out), fixer.done, False


def _span(position) -> tuple[int, int, int, int]:
    return position.start.line, position.start.column, position.end.line, position.end.column


class _Fixer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, by_span: dict[tuple, list[Finding]], edit: "Edit"):
        super().__init__()
        self.by_span, self.edit = by_span, edit
        self.done: list[Finding] = []

    def fix(self, node, findings: list[Finding]):
        """Each finding's fix, in turn; an edit two findings ask for alike (CIO501 and CIO601 on one call) is made
        once and credited to both."""
        made = set()
        for finding in findings:
            edit = (finding.fix, repr(sorted(finding.data.items())))
            replacement = None if edit in made else finding.fix(node, finding, self.edit)
            if replacement is not None:
                node = replacement
                made.add(edit)
            if edit in made:
                self.done.append(finding)
        return node

    def on_leave(self, original, updated):
        updated = super().on_leave(original, updated)
        if isinstance(original, cst.BaseExpression) and self.by_span:
            found = self.by_span.pop(_span(self.get_metadata(PositionProvider, original)), None)
            if found:
                updated = self.fix(updated, found)
        return updated


class Edit:
    """What fixes may ask of the module besides their node: names to refer to (imported if needed), imports to
    drop when unused, the source of a node."""

    def __init__(self, source: str, first_party: Callable[[str], bool] = lambda name: False):
        self.source = source
        self.first_party = first_party
        self.starts = line_starts(source)
        self.names: dict[tuple[str, str | None], str] = {}
        self.imports: list[tuple[str, str | None, str]] = []  # (module, name or None, local name)
        self.unused: set[str] = set()

    @staticmethod
    def code(node: cst.CSTNode) -> str:
        return cst.Module([]).code_for_node(node)

    def name_for(self, module: str, name: str | None = None) -> str:
        """An expression for ``module`` or ``module.name`` valid at module level: through an existing import,
        else a new one; a name the module already uses is never rebound (the import is qualified or aliased)."""
        key = (module, name)
        if key not in self.names:
            self.names[key] = self._existing(module, name) or self._new(module, name)
        return self.names[key]

    def checkpoint(self) -> tuple:
        return len(self.imports), dict(self.names), set(self.unused)

    def rollback(self, point: tuple) -> None:
        """Forget what fixes asked for since the checkpoint (their edit was not made)."""
        count, names, unused = point
        del self.imports[count:]
        self.names, self.unused = names, unused

    def enclosing_call(self, span: tuple) -> tuple | None:
        """The span (character columns) of the innermost call around ``span``, else None."""
        def char_col(line: int, col: int) -> int:
            return len(self._line(line).encode("utf-8")[:col].decode("utf-8", "replace"))

        found = None
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                call = (node.lineno, char_col(node.lineno, node.col_offset), node.end_lineno,
                        char_col(node.end_lineno, node.end_col_offset))
                if call != span and call[:2] <= span[:2] and call[2:] >= span[2:] and \
                        (found is None or (call[:2] >= found[:2] and call[2:] <= found[2:])):
                    found = call
        return found

    def drop_if_unused(self, local: str) -> None:
        """The import binding ``local`` goes if the fixed module no longer uses it."""
        self.unused.add(local)

    def _taken(self, name: str) -> bool:
        if any(local == name for _, _, local in self.imports):
            return True
        # a name that is nowhere in the text is free; one that is (maybe only in a comment) is looked up properly
        return re.search(rf"\b{re.escape(name)}\b", self.source) is not None and name in self.identifiers

    @cached_property
    def tree(self) -> ast.Module:  # parsed only when a fix asks for a name
        return ast.parse(self.source)

    @cached_property
    def identifiers(self) -> set[str]:
        return _identifiers(self.tree)

    def _existing(self, module: str, name: str | None) -> str | None:
        for node in self.tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == module:
                        local = alias.asname or alias.name
                        return f"{local}.{name}" if name else local
            elif isinstance(node, ast.ImportFrom) and name and not node.level and node.module == module:
                for alias in node.names:
                    if alias.name == name:
                        return alias.asname or name
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

    # -- writing the imports ----------------------------------------------------------------------------------
    def _line(self, line: int) -> str:
        return self.source[self.starts[line - 1]:self.starts[line]]

    def _offset(self, line: int, col: int = 0) -> int:
        return self.starts[min(line, len(self.starts)) - 1] + col

    def import_pieces(self) -> list[tuple[int, int, str]]:
        """Text edits adding the imports asked for: merged into an existing top-level ``from module import``, else
        a new line in the block isort would keep it in, below any import guard at the top of the module. As isort
        does by default, an aliased name gets a line of its own."""
        if not self.imports:
            return []
        grouped: dict[tuple[str, str | None], list[str]] = {}  # (module, alias or None) -> names
        for module, name, local in self.imports:
            grouped.setdefault((module, local if name is not None and local != name else None), []).append(name)
        header = _header(self.tree)
        lines = [n for n in header if isinstance(n, (ast.Import, ast.ImportFrom))]
        pieces = []
        for (module, alias), names in grouped.items():
            if names == [None]:
                pieces.append(self._placed(f"import {module}", self._sort_key(module, False), lines, header))
                continue
            existing = None if alias else next((n for n in lines if isinstance(n, ast.ImportFrom) and not n.level
                                                and n.module == module and n.names[0].name != "*"), None)
            if existing is not None:
                pieces.append(self._merged(existing, names))
                continue
            listed = f"{names[0]} as {alias}" if alias else ", ".join(sorted(names, key=str.lower))
            pieces.append(self._placed(f"from {module} import {listed}", self._sort_key(module, True), lines, header))
        return pieces

    def _merged(self, statement: ast.ImportFrom, names: list[str]) -> tuple[int, int, str]:
        begin = self._offset(statement.lineno, statement.col_offset)
        end = self._offset(statement.end_lineno, statement.end_col_offset)
        node = cst.parse_statement(self.source[begin:end]).body[0]
        aliases = list(node.names)
        for name in names:
            alias = cst.ImportAlias(cst.Name(name))
            at = next((k for k, a in enumerate(aliases) if self.code(a.name).lower() > name.lower()), len(aliases))
            if at == len(aliases):
                aliases[-1] = aliases[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                aliases.append(alias)
            else:
                aliases.insert(at, alias.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))))
        return begin, end, self.code(node.with_changes(names=aliases))

    def _placed(self, text: str, key: tuple, lines: list, header: list) -> tuple[int, int, str]:
        keyed = [(n, self._sort_key(*_imported(n))) for n in lines]
        same = [n for n, k in keyed if k[0] == key[0]]
        after_ours = [n for n, k in keyed if k[0] == key[0] and k > key]
        later = [n for n, k in keyed if k[0] > key[0]]
        if same:
            if after_ours:  # before the first of its block that sorts after it
                at = self._offset(after_ours[0].lineno)
                return at, at, text + "\n"
            at = self._offset(same[-1].end_lineno + 1)
            return at, at, text + "\n"
        if later:  # a new block before the first later one (and the comments right above it)
            line = later[0].lineno
            while line > 1 and self._line(line - 1).lstrip().startswith("#"):
                line -= 1
            at = self._offset(line)
            return at, at, text + "\n\n"
        if header:  # a new block after the imports, the docstring or the guards
            line = header[-1].end_lineno + 1
            at = self._offset(line)
            blank_after = "" if line >= len(self.starts) or not self._line(line).strip() else "\n"
            return at, at, "\n" + text + "\n" + blank_after
        line = 1
        while line < len(self.starts) and self._line(line).startswith("#"):
            line += 1  # a shebang, an encoding line or other comments stay first
        at = self._offset(line)
        return at, at, text + "\n\n"

    def _sort_key(self, module: str, is_from: bool) -> tuple:
        """isort's order (default profile): sections future, standard library, third party, first party (the
        project's own), local (relative); in each, plain ``import x`` lines before ``from x import y``, then by
        module name."""
        root = module.split(".")[0]
        section = 4 if module.startswith(".") else 0 if root == "__future__" else \
            1 if root in sys.stdlib_module_names else 3 if self.first_party(root) else 2
        return section, is_from, module.lower()

    def drop_unused(self, source: str) -> str:
        """Remove top-level imports of the names fixes asked about when nothing else in the module mentions them."""
        if not self.unused:
            return source
        tree = ast.parse(source)
        unused = self.unused - {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        pieces, starts = [], line_starts(source)
        for node in tree.body if unused else ():
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or node.names[0].name == "*":
                continue
            kept = [a for a in node.names if (a.asname or a.name.split(".")[0]) not in unused]
            if len(kept) == len(node.names):
                continue
            begin, end = starts[node.lineno - 1], starts[node.end_lineno]
            if kept:
                statement = cst.parse_statement(source[begin:end])
                names = [a for a in statement.body[0].names
                         if (a.asname.name.value if a.asname else self.code(a.name)) not in unused]
                names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                pieces.append((begin, end, cst.Module([statement.with_changes(
                    body=[statement.body[0].with_changes(names=names)])]).code))
            else:
                pieces.append((begin, end, ""))
        return _splice(source, pieces)


def _identifiers(tree: ast.AST) -> set[str]:
    """Every name the module binds or reads, in any scope: a new import must not shadow or be shadowed by one."""
    names = set()
    for node in ast.walk(tree):
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


def _header(tree: ast.Module) -> list[ast.stmt]:
    """The module's import header: docstring, imports, and guards around imports (``try: import x / except
    ImportError: ...``); a new import goes in it, never above a guard."""
    header = []
    for index, node in enumerate(tree.body):
        is_doc = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and \
            isinstance(node.value.value, str)
        is_guard = isinstance(node, (ast.Try, ast.If)) and \
            any(isinstance(inner, (ast.Import, ast.ImportFrom)) for inner in node.body)
        if not (is_doc or is_guard or isinstance(node, (ast.Import, ast.ImportFrom))):
            break
        header.append(node)
    return header


def _imported(node: ast.Import | ast.ImportFrom) -> tuple[str, bool]:
    if isinstance(node, ast.Import):
        return node.names[0].name, False
    return ("." * node.level) + (node.module or ""), True
