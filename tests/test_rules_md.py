"""rules.md is the review checklist: it must list every rule of the engine, with its fix safety, and its examples
must behave as documented (Wrong reports the rule, Right is silent)."""
import re
from pathlib import Path

import pytest

from flake8_cio.engine import all_rules, check_source
from flake8_cio.options import Options

RULES_MD = (Path(__file__).parent.parent / "rules.md").read_text()
SECTIONS = dict(re.findall(r"^## (CIO\d{3}) [a-z-]+\n(.*?)(?=^## |\Z)", RULES_MD, re.M | re.S))
RULES = all_rules()
CATALOG = str(Path(__file__).parent / "catalog_app" / "cio-catalog.toml")  # the one rules.md shows


def test_every_rule_has_a_section_and_a_checklist_line_and_nothing_else():
    assert sorted(SECTIONS) == sorted(RULES)
    for code, rule in RULES.items():
        assert f"## {code} {rule.name}\n" in RULES_MD
        assert re.search(rf"^- \[ \] {code} {rule.name}: ", RULES_MD, re.M), code


@pytest.mark.parametrize("code", sorted(RULES))
def test_section_shape_and_fix_safety(code):
    section = SECTIONS[code]
    for heading in ("**What it finds.**", "**Why it matters.**", "**Wrong**", "**Right**", "**Fix.**", "**Options.**"):
        assert heading in section, f"{code} lacks {heading}"
    fix_line = section.split("**Fix.**", 1)[1].split("\n\n", 1)[0]
    assert fix_line.strip().startswith(RULES[code].fix), f"{code}: rules.md says {fix_line!r}, engine says {RULES[code].fix}"


@pytest.mark.parametrize("code", sorted(RULES))
def test_examples_do_what_they_say(code):
    section = SECTIONS[code]
    wrong = re.search(r"\*\*Wrong\*\*\n```python\n(.*?)```", section, re.S).group(1)
    right = re.search(r"\*\*Right\*\*\n```python\n(.*?)```", section, re.S).group(1)
    options = Options(catalog=CATALOG) if code.startswith("CIO7") else Options()
    assert code in {f.code for f in check_source(wrong, "app.py", options)}
    assert code not in {f.code for f in check_source(right, "app.py", options)}
