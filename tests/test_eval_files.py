"""Eval files: real-looking code with the expected codes in `# expect:` comments; every other line must be silent."""
from pathlib import Path

import pytest

from flake8_cio.engine import all_rules

from .expectations import NO_PROBLEMS, compare, expectations

EVAL_DIR = Path(__file__).parent / "eval_files"
PROJECTS_DIR = Path(__file__).parent / "projects"


@pytest.mark.parametrize("path", sorted(EVAL_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(EVAL_DIR)))
def test_eval_file(path):
    # checked as a lone file: no project model, as flake8 sees stdin
    assert compare(path, str(path.relative_to(EVAL_DIR)), project_analysis="false") == NO_PROBLEMS


def test_every_rule_has_an_eval_case():
    covered = {e.code for folder in (EVAL_DIR, PROJECTS_DIR) for path in folder.rglob("*.py")
               for e in expectations(path.read_text("utf-8"))}
    assert sorted(set(all_rules()) - covered) == []


def test_expectation_format_is_strict():
    with pytest.raises(ValueError, match="cannot read"):
        expectations("x = 1  # expect: CIO101 oops\n")
    parsed = expectations('f()  # expect: CIO501@5 "calls a.b", CIO601\n')
    assert [(e.code, e.col, e.text) for e in parsed] == [("CIO501", 5, "calls a.b"), ("CIO601", None, None)]
