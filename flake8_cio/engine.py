"""The one detection engine behind the flake8 plugin and ``cio-fix``.

Rules are functions over a parsed module (``ast``) and its semantic model, which reaches the project's other
modules through the project model (cached per project and on disk); each finding carries its span and the fix it
can get, so that the fixer rewrites exactly what the linter reported.
"""
from __future__ import annotations

import ast
import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import catalog, layout
from .options import Options
from .prefilter import might_use_customerio
from .results import Results, digest
from .types import Finding

if TYPE_CHECKING:
    from .project import Project
    from .rule import Rule

# The project model, the rules and the semantic layer are imported when a file is first checked or summarised, not
# with the plugin: a flake8 run that reads every file's findings back (``lint``) needs only ``layout``.


def all_rules() -> dict[str, Rule]:
    from .rules import FAMILIES

    return {rule.code: rule for family in FAMILIES for rule in family.RULES}


def summarize(text: str, path: str, project: Project):
    """``summary.summarize_file``, imported on the first summary a process makes."""
    from .summary import summarize_file

    return summarize_file(text, path, project)


def check_tree(tree: ast.AST, lines: list[str], filename: str = "<string>", options: Options | None = None) -> list[Finding]:
    """Findings for a parsed module, sorted by position, one per (code, position)."""
    options = options or Options()
    relevant, project = worth_checking("".join(lines), filename, options)
    if not relevant:
        return []
    if project is not None and project.is_vendored(Path(filename)):
        return []  # a vendored copy of the SDK, or its tests: not application code
    from .rules import FAMILIES
    from .semantic import Model

    model = Model(tree, lines, filename, options, project)
    found = {(f.line, f.col, f.code): model.settle(f) for family in FAMILIES for f in family.check(model)}
    return sorted(found.values())


def lint(tree: ast.AST, lines: list[str], filename: str, options: Options) -> list[tuple[int, int, str]]:
    """What flake8 reports of a file, (line, col, "CODE message") per finding, read back from the last run while
    the file's text, the project's files and the inputs outside it are unchanged (``results``); any edit in the
    project checks every file again, from the summaries still cached. Plain tuples, not findings: building a
    frozen finding per row was most of reading a file's findings back."""
    if not options.project_analysis:
        return reports(check_tree(tree, lines, filename, options))
    cut = max(filename.rfind(os.sep), filename.rfind(os.altsep or os.sep)) + 1  # os.path.split, less its normalising
    folder, name = filename[:cut], filename[cut:]
    absolute, names, root, state = layout.place(os.getcwd(), folder, _salt(options))
    if name not in names:  # not found by its project's walk (under build/, a virtualenv; stdin): none kept
        return reports(check_tree(tree, lines, filename, options))
    kept, path, text_digest = _kept(root, options.cache_dir, state), absolute + name, digest("".join(lines))
    rows = kept.get(path, text_digest)
    if rows is not None and all(_is_report(row) for row in rows):
        return [(line, col, text) for line, col, text in rows]
    found = reports(check_tree(tree, lines, filename, options))
    kept.put(path, text_digest, [list(report) for report in found])  # as the journal gives them back: lists
    return found


def reports(findings: list[Finding]) -> list[tuple[int, int, str]]:
    """What flake8 reports of findings: (line, col, "CODE message")."""
    return [(f.line, f.col, f.text) for f in findings]


def _is_report(row: object) -> bool:
    """A kept row of this layout: [line, col, text]; any other is checked again."""
    return type(row) is list and len(row) == 3 and type(row[0]) is int and type(row[1]) is int and type(row[2]) is str


@lru_cache(maxsize=8)
def _salt(options: Options) -> str:
    """What findings depend on besides the project's files and the analyser: the options, the inputs outside."""
    return f"{options}\0{_outside_inputs(options)}"


@lru_cache(maxsize=32)
def _kept(root: str, cache_dir: str | None, state: str) -> Results:
    """The findings kept for a state of a project, shared by its views (one per package root)."""
    return Results(layout.results_folder(cache_dir, root), state)


@lru_cache(maxsize=8)
def _outside_inputs(options: Options) -> str:
    """What findings depend on outside the project: the catalog (found from the working folder) and the installed
    SDK's distribution (its major version is the default when the project pins none)."""
    found = catalog.find(options.catalog)
    try:
        stat = os.stat(found) if found is not None else None
    except OSError:
        stat = None
    inputs = [f"{os.path.abspath(found)}:{stat.st_mtime_ns}:{stat.st_size}" if stat else "no catalog"]
    for place in sys.path:
        try:
            inputs += sorted(name for name in os.listdir(place or ".") if name.startswith("customerio-"))
        except OSError:
            continue
    return "\n".join(inputs)


def worth_checking(source: str, filename: str, options: Options) -> tuple[bool, Project | None]:
    """Whether a file can have a finding (it names Customer.io, or imports a project module that does, at any
    depth), and its project; what the linter and cio-fix both skip on."""
    from .project import find_project

    local = might_use_customerio(source, options)
    project = find_project(filename, options, summarize) if local or options.project_analysis else None
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
