"""Adopting flake8-cio on an existing codebase: new code only (--cio-new-since / --new-since), a # noqa baseline
(--add-noqa) and machine-readable output (--report json)."""
import json
import subprocess

import pytest

from flake8_cio.fixers import cli

from . import inprocess

LEGACY = ("import time\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n"
          "cio.identify('1', at=int(time.time() * 1000))\n")
# the legacy finding moved two lines down (a comment and a blank line above it), and one new finding
CHANGED = ("import time\nfrom customerio import CustomerIO\n\n# moved\ncio = CustomerIO(S, K)\n"
           "cio.identify('1', at=int(time.time() * 1000))\ncio.track('1', 'SignedUp')\n")


def git(folder, *args):
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    git(tmp_path, "init", "-q")
    git(tmp_path, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "0")
    (tmp_path / "app.py").write_text(LEGACY)
    git(tmp_path, "add", "app.py")
    git(tmp_path, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "legacy")
    (tmp_path / "app.py").write_text(CHANGED)
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = CIO,E9\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def flake8(folder, *args):
    return inprocess.flake8(args, folder)


def report(capsys, *args):
    code = cli.main(["--jobs", "1", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_flake8_new_since_reports_only_the_new_finding(repo):
    everything = flake8(repo, "app.py")
    assert {line.split()[1] for line in everything.stdout.splitlines()} == {"CIO101", "CIO202"}
    new = flake8(repo, "--cio-new-since", "HEAD", "app.py")
    assert new.returncode == 1 and new.stdout.splitlines() == [new.stdout.splitlines()[0]]
    assert new.stdout.startswith("app.py:7:16: CIO202 ")
    assert flake8(repo, "--cio-new-since", "HEAD~1", "app.py").stdout == everything.stdout  # app.py was not there


CODES = {  # the (code, line) of each finding a report lists
    "json": lambda out: [(f["code"], f["location"]["row"]) for f in json.loads(out)],
    "sarif": lambda out: [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
                          for r in json.loads(out)["runs"][0]["results"]],
    "github": lambda out: [(line.split("title=")[1].split()[0], int(line.split("line=")[1].split(",")[0]))
                           for line in out.splitlines()],
}


@pytest.mark.parametrize("kind", sorted(CODES))
def test_every_report_new_since_lists_only_the_new_finding(repo, capsys, kind):
    code, out, _ = report(capsys, "--report", kind, "--new-since", "HEAD", ".")
    assert code == 1
    assert CODES[kind](out) == [("CIO202", 7)]
    assert sorted(CODES[kind](report(capsys, "--report", kind, ".")[1])) == [("CIO101", 6), ("CIO202", 7)]


def test_markdown_lists_new_findings_first_then_counts_the_old(repo, capsys):
    code, out, _ = report(capsys, "--report", "markdown", "--new-since", "HEAD", ".")
    assert code == 1
    new, old = out.split("<details>")
    assert "`app.py:7` event name 'SignedUp'" in new and "app.py:6" not in new
    assert "Findings new since `HEAD`" in new and "1 new findings" in new
    assert "1 older findings remain (already there at `HEAD`)" in old and "`app.py:6` **CIO101**" in old


def test_no_new_findings_is_a_clean_report(repo, capsys):
    (repo / "app.py").write_text(LEGACY.replace("import time\n", "import time\n\n"))
    code, out, _ = report(capsys, "--report", "json", "--new-since", "HEAD", ".")
    assert code == 0 and json.loads(out) == []
    assert flake8(repo, "--cio-new-since", "HEAD", "app.py").returncode == 0


@pytest.mark.parametrize("args, message", [
    (["--report", "json", "--new-since", "no-such-ref", "."], "'no-such-ref' is not a commit"),
    (["--new-since", "HEAD", "."], "--new-since needs --report"),
    (["--add-noqa", "--report", "json", "."], "--add-noqa fixes nothing"),
])
def test_bad_new_code_options_are_clear_errors(repo, capsys, args, message):
    code, _, err = report(capsys, *args)
    assert code == 2 and message in err


def test_flake8_with_an_unknown_ref_exits_2_naming_it(repo):
    result = flake8(repo, "--cio-new-since", "no-such-ref", "app.py")
    assert result.returncode == 2 and "'no-such-ref' is not a commit" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_report_has_ruffs_shape(repo, capsys):
    code, out, _ = report(capsys, "--report", "json", ".")
    assert code == 1
    findings = {f["code"]: f for f in json.loads(out)}
    assert set(findings) == {"CIO101", "CIO202"}
    timestamp = findings["CIO101"]
    assert timestamp["filename"] == "app.py" and timestamp["location"] == {"row": 6, "column": 26}
    assert timestamp["end_location"]["row"] == 6 and timestamp["end_location"]["column"] == 44
    assert timestamp["fix"]["applicability"] == "safe" and findings["CIO202"]["fix"]["applicability"] == "unsafe"
    assert timestamp["url"].endswith("rules.md#cio101-millisecond-timestamp") and timestamp["noqa_row"] == 6
    assert timestamp["message"].startswith("millisecond epoch timestamp")


BASELINE = '''import time
from customerio import CustomerIO

cio = CustomerIO("3f2a9c81d7e4b6051a2f", "9b8c7d6e5f4a3b2c1d0e")  # the staging workspace
cio.identify("1", at=int(time.time() * 1000))  # noqa: E501
cio.track("1", "SignedUp",
          data={"plan": "pro"})
HELP = """cio.track("1", "Bad Name")
"""
'''


def test_add_noqa_silences_every_finding_and_changes_nothing_else(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(BASELINE)
    assert flake8(tmp_path, "--isolated", "--select", "CIO,E9", "app.py").returncode == 1
    code, _, err = report(capsys, "--isolated", "--add-noqa", "app.py")
    assert code == 0 and "noqa added: CIO101x1, CIO202x1, CIO402x2; 0 findings left" in err
    after = (tmp_path / "app.py").read_text()
    assert after.splitlines() == [
        "import time",
        "from customerio import CustomerIO",
        "",
        'cio = CustomerIO("3f2a9c81d7e4b6051a2f", "9b8c7d6e5f4a3b2c1d0e")  # the staging workspace  # noqa: CIO402',
        'cio.identify("1", at=int(time.time() * 1000))  # noqa: E501,CIO101',
        'cio.track("1", "SignedUp",  # noqa: CIO202',
        '          data={"plan": "pro"})',
        'HELP = """cio.track("1", "Bad Name")',
        '"""',
    ]
    compile(after, "app.py", "exec")
    clean = flake8(tmp_path, "--isolated", "--select", "CIO,E9", "app.py")
    assert clean.returncode == 0 and clean.stdout == ""
    assert report(capsys, "--isolated", "--add-noqa", "app.py")[0] == 0
    assert (tmp_path / "app.py").read_text() == after  # a second run has nothing to add
