"""Types every part of the linter shares. Imports nothing of ours, so nothing that imports it makes a cycle."""
from __future__ import annotations

from dataclasses import dataclass

SAFE, UNSAFE, NONE = "safe", "unsafe", "none"


@dataclass(frozen=True)
class Rule:
    """A rule's catalogue entry: rules.md and the fixer's safety table are checked against these."""

    code: str
    name: str  # kebab-case, as in ruff
    summary: str
    fix: str  # SAFE, UNSAFE or NONE: the safety of the rule's main fix


@dataclass(frozen=True, order=True)
class Finding:
    line: int  # 1-based
    col: int  # 0-based, in characters
    code: str
    message: str
    end_line: int
    end_col: int
    fix: str | None = None  # name of the fix the fixer applies to the span, None when there is none
    safety: str = NONE

    @property
    def text(self) -> str:
        return f"{self.code} {self.message}"
