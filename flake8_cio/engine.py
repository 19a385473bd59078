"""The one detection engine behind the flake8 plugin and ``cio-fix``.

Rules are pure functions over a parsed module (``ast``) and its semantic model; each finding carries its
span and the fix it can get, so that the fixer rewrites exactly what the linter reported.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from .options import Options
from .project import find_project
from .types import Finding, Rule


def _families():
    from .rules import FAMILIES

    return FAMILIES


def all_rules() -> dict[str, Rule]:
    return {rule.code: rule for family in _families() for rule in family.RULES}


def check_tree(tree: ast.AST, lines: list[str], filename: str = "<string>", options: Options | None = None) -> list[Finding]:
    """Findings for a parsed module, sorted by position, one per (code, position)."""
    options = options or Options()
    source = "".join(lines)
    local = might_use_customerio(source, options)
    project = find_project(filename, options) if local or options.project_analysis else None
    if project is not None and project.is_vendored(Path(filename)):
        return []  # a vendored copy of the SDK, or its tests: not application code
    if not local and not (project is not None and project.imports_relevant(filename, source)):
        return []
    from .semantic import Model

    model = Model(tree, lines, filename, options, project)
    found = {(f.line, f.col, f.code): f for family in _families() for f in family.check(model)}
    return sorted(found.values())


def check_source(source: str, filename: str = "<string>", options: Options | None = None) -> list[Finding]:
    """Parse and check; raises SyntaxError for unparsable source (the callers report it)."""
    source = source.lstrip("\ufeff")
    tree = ast.parse(source, filename)
    return check_tree(tree, source.splitlines(keepends=True), filename, options)


def might_use_customerio(source: str, options: Options) -> bool:
    """Cheap text test: a module that never names the SDK, our runtime or a client name has nothing to find.
    Plain substring searches (C speed) rather than one regex, which costs more than the rest of the checker."""
    text = source.lower()
    if "customerio" in text or "flake8_cio" in text:
        return True
    for name in options.client_name_set:
        start = text.find(name)
        while start != -1:
            end = start + len(name)
            if not (start and (text[start - 1].isalnum() or text[start - 1] == "_")) and \
                    not (end < len(text) and (text[end].isalnum() or text[end] == "_")):
                return True
            start = text.find(name, end)
    return False


_NOQA = re.compile(r"#\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def is_silenced(line: str, code: str) -> bool:
    """Whether a ``# noqa`` comment on the line silences the code (flake8's own reading, for ``cio-fix``)."""
    match = _NOQA.search(line)
    if not match:
        return False
    codes = match.group("codes")
    return codes is None or any(code.startswith(c) for c in re.findall(r"[A-Z]+[0-9]+", codes.upper()))
