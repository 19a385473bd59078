"""The committed rules.md and README rule table are what `python -m flake8_cio.docs` writes from the rule modules;
`cio-fix --explain` and SARIF rule help come from the same docs in the package."""
import json
import re
from pathlib import Path

import pytest

from flake8_cio import docs
from flake8_cio.engine import all_rules
from flake8_cio.fixers import cli
from flake8_cio.fixers.report import sarif

ROOT = Path(__file__).parent.parent
RULES = all_rules()


def test_committed_rules_md_is_current():
    assert (ROOT / "rules.md").read_text("utf-8") == docs.rules_md(), f"rules.md is stale: run `{docs.REGENERATE}`"


def test_committed_readme_rule_table_is_current():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert docs.with_readme_table(readme) == readme, f"README.md's rule table is stale: run `{docs.REGENERATE}`"


def test_rules_md_has_every_rule_once_in_code_order_and_catalog_rules_after_the_catalog():
    text = docs.rules_md()
    headings = re.findall(r"^## (CIO\d{3}) ([a-z-]+)$", text, re.M)
    assert headings == sorted((code, rule.name) for code, rule in RULES.items())
    for code, rule in RULES.items():
        assert f"- [ ] {code} {rule.name}: {rule.doc.checklist}\n" in text
    assert text.index("## The event catalog rules (CIO7xx)") < text.index("## CIO701 ")


def test_generator_writes_rules_md_and_only_the_readme_table(tmp_path, capsys):
    (tmp_path / "README.md").write_text(f"# Project\n\n{docs.TABLE_START}\nold table\n{docs.TABLE_END}\n\nMore.\n")
    assert docs.main([str(tmp_path)]) == 0
    assert (tmp_path / "rules.md").read_text() == docs.rules_md()
    assert (tmp_path / "README.md").read_text() == f"# Project\n\n{docs.readme_table()}\n\nMore.\n"
    assert capsys.readouterr().out.count("wrote ") == 2
    assert docs.main([str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""  # nothing to change the second time


def test_generator_without_table_markers_is_one_error_line_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "README.md").write_text("# Project\n")
    assert docs.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m flake8_cio.docs: error: README.md lacks the rule table markers") and err.count("\n") == 1
    assert not (tmp_path / "rules.md").exists()


def test_readme_links_are_absolute_so_they_work_on_pypi():
    table = docs.readme_table()
    assert f"[CIO101]({docs.RULES_URL}#cio101-millisecond-timestamp)" in table
    assert not re.search(r"\]\((?!https://)", (ROOT / "README.md").read_text("utf-8").split("## Rules", 1)[1].split("\n## ", 1)[0])


@pytest.mark.parametrize("key", ["CIO101", "cio101", "millisecond-timestamp"])
def test_explain_prints_the_rules_page(key, capsys):
    assert cli.main(["--explain", key]) == 0
    out = capsys.readouterr().out
    assert out == docs.rule_page(RULES["CIO101"])
    assert out.startswith("# CIO101 millisecond-timestamp\n") and "**Fix.** safe for arithmetic" in out


def test_explain_of_a_catalog_rule_shows_the_catalog_its_examples_use(capsys):
    assert cli.main(["--explain", "CIO705"]) == 0
    assert "```toml\n" + docs.EXAMPLE_CATALOG + "```" in capsys.readouterr().out


@pytest.mark.parametrize("key", ["CIO999", "", "E501"])
def test_explain_of_an_unknown_code_is_one_error_line_and_exit_2(key, capsys):
    assert cli.main(["--explain", key]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"cio-fix: error: unknown rule {key!r}; codes are CIO101, ") and err.count("\n") == 1


def test_sarif_rule_help_is_the_packaged_rule_doc():
    rules = json.loads(sarif([]))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    for descriptor in rules:
        rule = RULES[descriptor["id"]]
        assert descriptor["help"]["markdown"] == docs.rule_body(rule)
        assert descriptor["helpUri"] == docs.rule_url(rule)
        assert rule.doc.wrong in descriptor["help"]["text"] and "**" not in descriptor["help"]["text"]
