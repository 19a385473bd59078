"""What a rule is: its catalogue entry and its documentation, written beside its detection in the rule module.
Imports nothing of ours. Not in ``types.py``: a flake8 run that reads findings back loads no rule, so not this."""
from __future__ import annotations

import textwrap
from .frozen import fields, frozen


@frozen
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
        for name in fields(self):
            object.__setattr__(self, name, textwrap.dedent(getattr(self, name)).strip())


@frozen
class Rule:
    """A rule's catalogue entry: its code, name, summary, the safety of its main fix and its documentation; rules.md,
    the README's table, SARIF rule help and `cio-fix --explain` are rendered from these."""

    code: str
    name: str  # kebab-case, as in ruff
    summary: str
    fix: str  # SAFE, UNSAFE or NONE: the safety of the rule's main fix
    doc: RuleDoc
