"""Types every part of the linter shares. Imports nothing of ours, so nothing that imports it makes a cycle."""
from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field, fields, replace
from typing import Any, Callable, Mapping

SAFE, UNSAFE, NONE = "safe", "unsafe", "none"


@dataclass(frozen=True)
class RuleDoc:
    """A rule's documentation, written beside its detection in the rule module (ruff's rule-page shape), so that it
    ships with the package. flake8_cio.docs renders it into rules.md, the README's rule table, SARIF rule help and
    `cio-fix --explain`; a test runs the examples. Text is markdown, dedented and stripped here, so it can be
    written as indented triple-quoted strings."""

    checklist: str  # the review checklist line: what correct code does
    what: str  # what it finds, and what it deliberately leaves alone
    why: str  # why it matters: what goes wrong at Customer.io
    wrong: str  # Python code on which the rule reports
    right: str  # Python code with the same intent, on which the rule is silent
    fix: str  # begins with the fix safety (safe, unsafe or none), then what the fix does, or why there is none
    options: str = "none."  # the cio- options that change the rule

    def __post_init__(self):
        for text in fields(self):
            object.__setattr__(self, text.name, textwrap.dedent(getattr(self, text.name)).strip())


@dataclass(frozen=True)
class Rule:
    """A rule's catalogue entry: its code, name, summary, the safety of its main fix and its documentation; rules.md,
    the README's table, SARIF rule help and `cio-fix --explain` are rendered from these."""

    code: str
    name: str  # kebab-case, as in ruff
    summary: str
    fix: str  # SAFE, UNSAFE or NONE: the safety of the rule's main fix
    doc: RuleDoc


@dataclass(frozen=True, order=True)
class Finding:
    """A rule's report at a span, with the fix it carries (if any), its safety and the data the fix needs."""

    line: int  # 1-based
    col: int  # 0-based, in characters
    code: str
    message: str
    end_line: int
    end_col: int
    # the rule's fix function, ``fix(node, finding, edit) -> node | None`` on the libcst node at the span; None: none
    fix: Callable[..., Any] | None = field(default=None, compare=False)
    safety: str = NONE
    # What the fix needs, decided by the engine so the fixer never re-derives it: plain values only (names, spans
    # as (line, col, end_line, end_col) with character columns, ints), e.g. {"target": span, "name": "signed_up"}
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"

    def with_fix(self, fix: Callable[..., Any] | None, safety: str, **data: Any) -> "Finding":
        """This finding with a fix (or none: ``fix=None`` drops the safety too) and the data that fix needs."""
        return replace(self, fix=fix, safety=safety if fix else NONE, data=data if fix else {})


#: Set to "1" (the test suite does: tests/conftest.py), an internal error fails the run: a rule that raises under
#: flake8, a fix that raises under cio-fix. Unset, it is reported with its file and skipped (a fix is reverted).
STRICT_ENV = "CIO_STRICT"


def strict() -> bool:
    return os.environ.get(STRICT_ENV) == "1"
