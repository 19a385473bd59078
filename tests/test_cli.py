"""cio-fix as users run it: exit codes, diff/check, config files, bad input, parallel jobs, excludes."""
import json
import os
import subprocess
import sys

import pytest

from flake8_cio.fixers import cli

from . import inprocess

BAD = ("import time\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n"
       "cio.identify('1', at=int(time.time() * 1000))\n")
GOOD = BAD.replace(" * 1000", "")
UNFIXABLE = "from customerio import CustomerIO\ncio = CustomerIO('3f2a9c81d7e4b6051a2f', '9b8c7d6e5f4a3b2c1d0e')\n"


def run(tmp_path, *args):
    """cio-fix in this process (tests/inprocess.py): a subprocess would prove nothing more here."""
    return inprocess.run(cli.main, "cio-fix", args, tmp_path)


def test_python_m_flake8_cio_fixers_runs_cio_fix(tmp_path):
    (tmp_path / "app.py").write_text(BAD)
    result = subprocess.run([sys.executable, "-m", "flake8_cio.fixers", "--check", "."], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 1 and "would fix" in result.stdout and "Traceback" not in result.stderr


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


def test_unparsable_and_undecodable_files_are_reported_and_the_rest_fixed(tmp_path):
    (tmp_path / "a_broken.py").write_text("import customerio\ndef f(:\n")
    (tmp_path / "b_latin1.py").write_bytes("# customerio \xe9\n".encode("latin-1"))  # no declaration: not UTF-8
    (tmp_path / "b_latin1_later.py").write_bytes("import customerio\n\nx = 'caf\xe9'\n".encode("latin-1"))
    (tmp_path / "b_nul.py").write_bytes(b"import customerio\n\x00\x01binary\xff\xfe")
    (tmp_path / "c_app.py").write_text(BAD)
    result = run(tmp_path, ".")
    assert result.returncode == 2
    assert "a_broken.py: syntax error at line 2" in result.stderr
    # where the bad byte is, by line and column (and its offset, named as one), wherever in the file it is
    assert "b_latin1.py: cannot decode: not valid utf-8: byte 0xe9 at line 1, column 14 (byte offset 13)" \
        in result.stderr
    assert "b_latin1_later.py: cannot decode: not valid utf-8: byte 0xe9 at line 3, column 9 (byte offset 27)" \
        in result.stderr
    assert "b_nul.py: cannot decode: a NUL byte at line 2, column 1 (byte offset 18): a binary file, not Python " \
        "source" in result.stderr
    assert (tmp_path / "c_app.py").read_text() == GOOD


def test_a_pep_263_file_is_fixed_and_written_back_in_its_own_encoding(tmp_path):
    header = "# -*- coding: latin-1 -*-\n# caf\xe9: the \xe9 is one byte in this file\n"
    (tmp_path / "app.py").write_bytes((header + BAD).encode("latin-1"))
    assert run(tmp_path, "--check", "app.py").returncode == 1
    result = run(tmp_path, "app.py")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "app.py").read_bytes() == (header + GOOD).encode("latin-1")
    assert inprocess.flake8(["--select", "CIO,E9", "app.py"], tmp_path).returncode == 0  # flake8 reads it alike


def test_check_names_each_file_that_would_change_with_the_codes(tmp_path):
    (tmp_path / "app.py").write_text(BAD)
    (tmp_path / "keys.py").write_text(UNFIXABLE)
    check = run(tmp_path, "--check", ".")
    assert check.returncode == 1
    assert "would fix app.py: CIO101" in check.stdout.replace("./", "")
    assert "keys.py" not in "".join(line for line in check.stdout.splitlines() if line.startswith("would fix"))


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
    (["--ignore", "CIO1O", "."], "unknown rule code 'CIO1O' (did you mean 'CIO10'?)"),
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


def test_flake8_excludes_and_ignores_from_the_config_are_honoured(tmp_path):
    (tmp_path / "setup.cfg").write_text(
        "[flake8]\nexclude = .git,generated\nextend-exclude = legacy/*.py\n"
        "per-file-ignores =\n    scripts/*.py: CIO101\nextend-ignore = E501\n")
    for folder in ("generated", "legacy", "scripts", "app"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "m.py").write_text(BAD)
    result = run(tmp_path, "--check", ".")
    assert "2 files scanned, 1 would change" in result.stderr  # app/m.py; scripts/m.py has CIO101 ignored
    assert "1 files scanned" in run(tmp_path, "--check", "--exclude", "app/*.py", ".").stderr  # relative to here
    (tmp_path / "setup.cfg").write_text("[flake8]\nextend-ignore = CIO1\n")
    assert "0 would change" in run(tmp_path, "--check", ".").stderr


def test_read_only_files_are_reported_not_rewritten(tmp_path):
    target = tmp_path / "app.py"
    target.write_text(BAD)
    target.chmod(0o444)
    result = run(tmp_path, "app.py")
    assert result.returncode == 2 and "app.py: cannot write: read-only, left unchanged" in result.stderr
    assert "0 changed; fixes: none; 1 findings left" in result.stderr
    assert target.read_text() == BAD


def test_symlinks_are_written_through_and_bom_line_endings_mode_kept(tmp_path):
    real = tmp_path / "real.py"
    real.write_bytes(b"\xef\xbb\xbf" + BAD.replace("\n", "\r\n").encode())
    real.chmod(0o640)
    (tmp_path / "link.py").symlink_to("real.py")
    result = run(tmp_path, "link.py")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "link.py").is_symlink()
    assert real.read_bytes() == b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()
    assert real.stat().st_mode & 0o777 == 0o640


def test_a_file_changed_while_being_fixed_is_not_overwritten(tmp_path, monkeypatch, capsys):
    target = tmp_path / "app.py"
    target.write_text(BAD)
    edited = BAD + "# edited meanwhile\n"
    real_mkstemp = cli.tempfile.mkstemp

    def edit_then_mkstemp(*args, **kwargs):  # the user saves between cio-fix's read and its write
        target.write_text(edited)
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(cli.tempfile, "mkstemp", edit_then_mkstemp)
    assert cli.main(["--jobs", "1", str(target)]) == 2
    assert target.read_text() == edited and sorted(os.listdir(tmp_path)) == ["app.py"]
    assert "changed on disk while being fixed" in capsys.readouterr().err


def test_check_prints_the_line_numbers_of_the_file_as_it_is(tmp_path):
    # the CIO101 fix adds an import above, so in the fixed text the CIO402 line would be one lower
    source = ("from customerio import CustomerIO\nfrom datetime import datetime\n"
              "cio = CustomerIO('3f2a9c81d7e4b6051a2f', '9b8c7d6e5f4a3b2c1d0e')\n"
              "cio.identify('1', at=datetime.now())\n")
    (tmp_path / "app.py").write_text(source)
    check = run(tmp_path, "--check", "app.py")
    assert "app.py:3:18: CIO402" in check.stdout, check.stdout + check.stderr
    fixed = run(tmp_path, "app.py")
    assert fixed.returncode == 1 and (tmp_path / "app.py").read_text() != source
    lines = (tmp_path / "app.py").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "CustomerIO('3f" in text)
    assert f"app.py:{line}:18: CIO402" in fixed.stdout


def test_show_fixes_statistics_version_and_exit_zero(tmp_path):
    (tmp_path / "app.py").write_text(BAD)
    (tmp_path / "keys.py").write_text(UNFIXABLE)
    result = run(tmp_path, "--show-fixes", "--statistics", ".")
    assert result.returncode == 1
    assert "app.py:4:26: CIO101 millisecond-timestamp: fixed" in result.stdout
    assert "2     CIO402 hardcoded-credential" in result.stdout.splitlines()
    assert run(tmp_path, "--exit-zero", ".").returncode == 0
    version = run(tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("cio-fix 0.1.0")


def test_stdin_writes_the_fixed_code_to_stdout(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\nper-file-ignores = skipped.py: CIO101\n")

    def fix(name):
        return subprocess.run([sys.executable, "-m", "flake8_cio.fixers", "-", "--stdin-filename", name],
                              input=BAD, cwd=tmp_path, capture_output=True, text=True)

    fixed = fix("app.py")
    assert fixed.stdout == GOOD and fixed.returncode == 0
    assert "1 changed; fixes: CIO101x1" in fixed.stderr
    assert fix("skipped.py").stdout == BAD
    assert list(tmp_path.iterdir()) == [tmp_path / "setup.cfg"]  # nothing written


def test_unfixable_and_extend_unsafe_fixes_from_config_and_command_line(tmp_path):
    (tmp_path / "app.py").write_text(BAD)
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-cio]\nunfixable = ["CIO101"]\n')
    kept = run(tmp_path, "app.py")
    assert kept.returncode == 1 and (tmp_path / "app.py").read_text() == BAD
    (tmp_path / "pyproject.toml").unlink()
    unsafe = run(tmp_path, "--extend-unsafe-fixes", "CIO1", "app.py")
    assert (tmp_path / "app.py").read_text() == BAD and "[unsafe fix: --unsafe-fixes]" in unsafe.stdout
    run(tmp_path, "--extend-unsafe-fixes", "CIO1", "--unsafe-fixes", "app.py")
    assert (tmp_path / "app.py").read_text() == GOOD
    bad = run(tmp_path, "--unfixable", "CIO999", "app.py")
    assert bad.returncode == 2 and "--unfixable: unknown rule code 'CIO999'" in bad.stderr


def test_fix_only_still_counts_the_findings_it_leaves(tmp_path):
    (tmp_path / "keys.py").write_text(UNFIXABLE)
    result = run(tmp_path, "--fix-only", "--exit-non-zero-on-fix", ".")
    assert result.returncode == 0 and result.stdout == ""
    assert "2 findings left" in result.stderr


def test_files_that_use_customerio_only_through_project_modules_are_checked_too(tmp_path):
    """A view that never names Customer.io but calls the project's wrappers has findings, as under flake8; a
    finding on another module's constant is reported without a fix (the constant's definition is elsewhere)."""
    import shutil
    from pathlib import Path

    shutil.copytree(Path(__file__).parent / "projects" / "factory_wrappers", tmp_path / "app")
    trial = tmp_path / "app" / "web" / "trial.py"
    before = trial.read_text()
    result = run(tmp_path / "app", "--unsafe-fixes", "--exit-zero", "web/trial.py")
    assert "1 files scanned, 0 changed" in result.stderr + result.stdout
    assert "2 findings left" in result.stderr + result.stdout and trial.read_text() == before


HANDLER = ("from customerio import CustomerIO\nfrom flask import Flask\n\napp = Flask(__name__)\n"
           "cio = CustomerIO(S, K)\n\n\n@app.route('/')\ndef home(user):\n"
           "    cio.identify(user.id, email=user.email, plan=user.plan, country=user.cc)\n    return ''\n")


@pytest.mark.parametrize("config, one_line", [("", False), ("[flake8]\nmax-line-length = 100\n", True)])
def test_flake8s_max_line_length_from_the_config_bounds_the_fixed_lines(tmp_path, monkeypatch, config, one_line):
    (tmp_path / "app.py").write_text(HANDLER)
    (tmp_path / "setup.cfg").write_text(config)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--jobs", "1", "--unsafe-fixes", "app.py"]) == 0
    fixed = (tmp_path / "app.py").read_text()
    wide = "    nonblocking(cio).identify(user.id, email=user.email, plan=user.plan, country=user.cc)\n"
    assert (wide in fixed) is one_line and "nonblocking(cio).identify(" in fixed
    assert max(len(line) for line in fixed.splitlines()) <= (100 if one_line else 79)


def test_a_bad_max_line_length_is_a_usage_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "setup.cfg").write_text("[flake8]\nmax-line-length = lots\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--jobs", "1", "."]) == 2
    assert "max-line-length: 'lots' is not a number" in capsys.readouterr().err


def test_a_symlink_loop_is_reported_per_file_and_the_rest_fixed(tmp_path):
    """As flake8's E902: the looping files are named with the reason, the others are fixed, exit 2 (a file it
    could not read); the same for a loop named on the command line, reports and cio-catalog extract."""
    (tmp_path / "loop_a.py").symlink_to("loop_b.py")
    (tmp_path / "loop_b.py").symlink_to("loop_a.py")
    (tmp_path / "app.py").write_text(BAD)

    def tool(*args):
        return subprocess.run([sys.executable, "-m", "flake8_cio", *args], cwd=tmp_path, capture_output=True,
                              text=True)

    fixed = tool("fix", ".")
    assert fixed.returncode == 2 and "Traceback" not in fixed.stderr, fixed.stderr
    for name in ("loop_a.py", "loop_b.py"):
        assert f"{name}: cannot read: Too many levels of symbolic links" in fixed.stderr
    assert (tmp_path / "app.py").read_text() == GOOD
    named = tool("fix", "loop_a.py")
    assert named.returncode == 2 and "loop_a.py: cannot read: Too many levels of symbolic links" in named.stderr
    assert "no such file" not in named.stderr
    sarif = tool("fix", "--report", "sarif", ".")
    assert sarif.returncode == 2 and "Traceback" not in sarif.stderr, sarif.stderr
    assert "Too many levels of symbolic links" in json.loads(sarif.stdout)["runs"][0]["invocations"][0][
        "toolExecutionNotifications"][0]["message"]["text"]
    extract = tool("catalog", "extract", ".")
    assert extract.returncode == 0 and "Traceback" not in extract.stderr, extract.stderr
    assert "loop_a.py: skipped" in extract.stderr and "Too many levels of symbolic links" in extract.stderr


ORDERS_CATALOG = ('[events.order_placed]\ndata.order_id = "string"\ndata.total = "number"\n\n'
                  '[events.order_shipped]\ndata.order_id = "string"\n')
ORDERS = ("from customerio import CustomerIO\n\ncio = CustomerIO(S, K)\n\n\n"
          "def place(order):\n"
          "    cio.track(order.user_id, 'OrderPlaced', data={'order_id': order.id, 'totl': order.total})\n\n\n"
          "def status(order):\n"
          "    cio.track(order.user_id, f'order_{order.status}', data={'order_id': order.id})\n\n\n"
          "def ship(order):\n"
          "    cio.track(order.user_id, 'OrderShipped', data={'order_id': order.id})\n")


def test_a_fix_that_would_add_a_finding_is_not_applied_and_says_why_and_the_others_are(tmp_path):
    """Renaming 'OrderPlaced' to the catalogued 'order_placed' would add a CIO702 (its data's 'totl' typo), and
    CIO201's fixed name 'order' is in no catalog (a CIO701): neither is applied nor advertised as a fix, each says
    which finding it would add; the rename in another function is applied. Once the typo is fixed, the rename
    applies, and CIO201's fix is still held back (its new CIO701 is not hidden by the one the rename removes)."""
    (tmp_path / "cio-catalog.toml").write_text(ORDERS_CATALOG)
    app = tmp_path / "app.py"
    app.write_text(ORDERS)

    def fix(*args):
        return subprocess.run([sys.executable, "-m", "flake8_cio", "fix", *args, "app.py"], cwd=tmp_path,
                              capture_output=True, text=True)

    placed = ("app.py:7:30: CIO202 event name 'OrderPlaced' is not snake_case", "[not fixed: the fix would add "
              "CIO702 (data key 'totl' is not declared for event 'order_placed' in the catalog")
    status = ("app.py:11:30: CIO201 event name built at run time", "[not fixed: the fix would add CIO701 (event "
              "'order' is not in the catalog")
    safe_run = fix()
    lines = safe_run.stdout.splitlines()
    for where, why in (placed, status):
        line = next(text for text in lines if text.startswith(where))
        assert why in line and "[unsafe fix" not in line, line
    assert any(text.startswith("app.py:15:30: CIO202") and text.endswith("[unsafe fix: --unsafe-fixes]")
               for text in lines), safe_run.stdout
    report = json.loads(fix("--report", "json").stdout)
    assert {(item["location"]["row"], item["code"]): item["fix"] and item["fix"]["applicability"]
            for item in report if item["code"] in ("CIO201", "CIO202")} == \
        {(7, "CIO202"): None, (11, "CIO201"): None, (15, "CIO202"): "unsafe"}
    unsafe_run = fix("--unsafe-fixes")
    assert "fixes: CIO202x1" in unsafe_run.stderr, unsafe_run.stderr
    assert "'order_shipped'" in app.read_text() and "'OrderPlaced'" in app.read_text()
    for where, why in (placed, status):
        assert any(text.startswith(where) and why in text for text in unsafe_run.stdout.splitlines())
    app.write_text(ORDERS.replace("'totl'", "'total'"))
    typo_fixed = fix("--unsafe-fixes")
    assert "fixes: CIO202x2" in typo_fixed.stderr, typo_fixed.stderr
    assert "f'order_{order.status}'" in app.read_text()
    assert status[1] in typo_fixed.stdout


def test_check_and_diff_report_the_findings_left_where_flake8_sees_them_in_the_file_as_it_is(tmp_path):
    """The safe CIO501 fix splits the call over three lines; the unsafe CIO202 left on it, and CIO402 below it,
    are reported at their line and column in the file on disk, as flake8 reports them, by --check on stdout and by
    --diff on stderr (its stdout is the diff alone)."""
    (tmp_path / "requirements.txt").write_text("customerio==3.2.0\nflake8-cio==0.1.0\n")  # the fix is safe here
    (tmp_path / "app.py").write_text(
        "from customerio import CustomerIO\nfrom flask import Flask\n\napp = Flask(__name__)\n"
        "cio = CustomerIO(S, K)\n\n\n@app.route('/')\ndef home(user):\n"
        "    cio.track(user.id, 'SignedUp', data={'plan': user.plan, 'country': user.country_code})\n"
        "    return ''\n\n\nother = CustomerIO('3f2a9c81d7e4b6051a2f', '9b8c7d6e5f4a3b2c1d0e')\n")

    def tool(*args):
        return subprocess.run([sys.executable, "-m", *args, "app.py"], cwd=tmp_path, capture_output=True, text=True)

    flake8 = tool("flake8", "--select", "CIO")
    left = [line for line in flake8.stdout.splitlines() if "CIO501" not in line]
    assert [line.split(":")[3].split()[0] for line in left] == ["CIO202", "CIO402", "CIO402"], flake8.stdout
    check = tool("flake8_cio", "fix", "--check")
    diff = tool("flake8_cio", "fix", "--diff")
    assert check.returncode == 1 and diff.returncode == 1
    assert "+    nonblocking(cio).track(\n" in diff.stdout and "CIO202" not in diff.stdout
    for listed in (check.stdout, diff.stderr):
        assert [line.removesuffix(" [unsafe fix: --unsafe-fixes]") for line in listed.splitlines()
                if line.startswith("app.py:")] == left
