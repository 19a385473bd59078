"""cio-fix as users run it: exit codes, diff/check, config files, bad input, parallel jobs, excludes."""
import os
import subprocess
import sys

import pytest

from flake8_cio.fixers import cli

BAD = "import time\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\ncio.identify('1', at=int(time.time() * 1000))\n"
GOOD = BAD.replace(" * 1000", "")
UNFIXABLE = "from customerio import CustomerIO\ncio = CustomerIO('3f2a9c81d7e4b6051a2f', '9b8c7d6e5f4a3b2c1d0e')\n"


def run(tmp_path, *args):
    result = subprocess.run([sys.executable, "-m", "flake8_cio.fixers", *args], cwd=tmp_path, capture_output=True, text=True)
    assert "Traceback" not in result.stderr
    return result


def test_check_and_diff_change_nothing_and_exit_1_when_a_file_would_change(tmp_path):
    (tmp_path / "app.py").write_text(BAD)
    check = run(tmp_path, "--check", ".")
    diff = run(tmp_path, "--diff", ".")
    assert check.returncode == 1 and diff.returncode == 1
    assert "-cio.identify('1', at=int(time.time() * 1000))" in diff.stdout
    assert "+cio.identify('1', at=int(time.time()))" in diff.stdout
    assert (tmp_path / "app.py").read_text() == BAD
    (tmp_path / "app.py").write_text(GOOD)
    assert run(tmp_path, "--check", ".").returncode == 0


def test_plain_run_fixes_and_exit_code_reflects_what_is_left(tmp_path):
    (tmp_path / "app.py").write_text(BAD)
    result = run(tmp_path, "app.py")
    assert result.returncode == 0 and (tmp_path / "app.py").read_text() == GOOD
    assert "1 changed; fixes: CIO101x1; 0 findings left" in result.stderr
    (tmp_path / "app.py").write_text(BAD)
    assert run(tmp_path, "--exit-non-zero-on-fix", "app.py").returncode == 1
    (tmp_path / "keys.py").write_text(UNFIXABLE)
    left = run(tmp_path, ".")
    assert left.returncode == 1 and "keys.py:2:18: CIO402" in left.stdout


def test_unparsable_and_non_utf8_files_are_reported_and_the_rest_fixed(tmp_path):
    (tmp_path / "a_broken.py").write_text("import customerio\ndef f(:\n")
    (tmp_path / "b_latin1.py").write_bytes("# customerio \xe9\n".encode("latin-1"))
    (tmp_path / "c_app.py").write_text(BAD)
    result = run(tmp_path, ".")
    assert result.returncode == 2
    assert "a_broken.py: syntax error at line 2" in result.stderr
    assert "b_latin1.py: not UTF-8, skipped" in result.stderr
    assert (tmp_path / "c_app.py").read_text() == GOOD


def test_a_failed_write_leaves_the_file_whole(tmp_path, monkeypatch, capsys):
    target = tmp_path / "app.py"
    target.write_text(BAD)

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert cli.main(["--jobs", "1", str(target)]) == 2
    assert target.read_text() == BAD
    assert os.listdir(tmp_path) == ["app.py"]
    assert "cannot write: Permission denied" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--select", "CIO999", "."], "unknown rule code 'CIO999'"),
    (["--cio-event-name-style", "SHOUT", "."], "cio-event-name-style: 'SHOUT' is not one of"),
    (["missing.py"], "missing.py: no such file or directory"),
    (["--jobs", "0", "."], "--jobs must be at least 1"),
])
def test_usage_errors_exit_2_with_a_clear_message(tmp_path, args, message):
    result = run(tmp_path, *args)
    assert result.returncode == 2 and message in result.stderr


def test_options_come_from_the_same_config_files_as_the_plugin(tmp_path):
    source = "def f(tracker):\n    tracker.track('1', 'SignedUp')\n"
    (tmp_path / "app.py").write_text(source)
    (tmp_path / "setup.cfg").write_text("[flake8]\ncio-client-names = tracker\n")
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-cio]\nevent-name-style = "kebab-case"\n')
    run(tmp_path, "--unsafe-fixes", "app.py")
    assert (tmp_path / "app.py").read_text() == source.replace("'SignedUp'", "'signed-up'")
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-cio]\nevent-name-styl = "kebab-case"\n')
    bad = run(tmp_path, "app.py")
    assert bad.returncode == 2 and "unknown option 'cio-event-name-styl'" in bad.stderr


def test_parallel_jobs_and_default_excludes(tmp_path):
    for i in range(12):
        (tmp_path / f"m{i}.py").write_text(BAD)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text(BAD)
    (tmp_path / "skip_me").mkdir()
    (tmp_path / "skip_me" / "x.py").write_text(BAD)
    result = run(tmp_path, "--jobs", "2", "--exclude", "skip_me", ".")
    assert result.returncode == 0 and "12 files scanned, 12 changed" in result.stderr
    assert all((tmp_path / f"m{i}.py").read_text() == GOOD for i in range(12))
    assert (tmp_path / ".venv" / "lib.py").read_text() == BAD and (tmp_path / "skip_me" / "x.py").read_text() == BAD
