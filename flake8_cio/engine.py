"""The one detection engine behind the flake8 plugin and ``cio-fix``.

Rules are functions over a parsed module (``ast``) and its semantic model, which reaches the project's other
modules through the project model (cached per project and on disk); each finding carries its span and the fix it
can get, so that the fixer rewrites exactly what the linter reported.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from .options import Options
from .prefilter import might_use_customerio
from .project import Project, find_project
from .rules import FAMILIES  # at import: flake8 loads the plugin before it forks its workers, so they share this
from .semantic import Model
from .summary import summarize_file
from .types import Finding, Rule


def all_rules() -> dict[str, Rule]:
    return {rule.code: rule for family in FAMILIES for rule in family.RULES}


def check_tree(tree: ast.AST, lines: list[str], filename: str = "<string>", options: Options | None = None) -> list[Finding]:
    """Findings for a parsed module, sorted by position, one per (code, position)."""
    options = options or Options()
    relevant, project = worth_checking("".join(lines), filename, options)
    if not relevant:
        return []
    if project is not None and project.is_vendored(Path(filename)):
        return []  # a vendored copy of the SDK, or its tests: not application code
    model = Model(tree, lines, filename, options, project)
    found = {(f.line, f.col, f.code): model.settle(f) for family in FAMILIES for f in family.check(model)}
    return sorted(found.values())


def worth_checking(source: str, filename: str, options: Options) -> tuple[bool, Project | None]:
    """Whether a file can have a finding (it names Customer.io, or imports a project module that does, at any
    depth), and its project; what the linter and cio-fix both skip on."""
    local = might_use_customerio(source, options)
    project = find_project(filename, options, summarize_file) if local or options.project_analysis else None
    return local or (project is not None and (project.imports_relevant(filename, source) or
                                              project.may_be_given_a_client(source))), project


def check_source(source: str, filename: str = "<string>", options: Options | None = None) -> list[Finding]:
    """Parse and check; raises SyntaxError for unparsable source (the callers report it)."""
    source = source.lstrip("\ufeff")
    tree = ast.parse(source, filename)
    return check_tree(tree, source.splitlines(keepends=True), filename, options)


_NOQA = re.compile(r"#\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def is_silenced(line: str, code: str) -> bool:
    """Whether a ``# noqa`` comment on the line silences the code (flake8's own reading, for ``cio-fix``)."""
    match = _NOQA.search(line)
    if not match:
        return False
    codes = match.group("codes")
    return codes is None or any(code.startswith(c) for c in re.findall(r"[A-Z]+[0-9]+", codes.upper()))
