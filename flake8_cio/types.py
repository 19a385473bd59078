"""Types every part of the linter shares. Imports nothing of ours, so nothing that imports it makes a cycle. (What a
rule is, its catalogue entry and documentation, is in ``rule.py``: a flake8 run that reads findings back never needs
it.)"""
from __future__ import annotations

import os
from .frozen import field, frozen, replace
from typing import Any, Callable, Mapping

SAFE, UNSAFE, NONE = "safe", "unsafe", "none"


@frozen(order=True)
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
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)

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
