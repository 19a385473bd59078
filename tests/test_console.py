"""The small things a new user trips on: python -m flake8_cio, --version everywhere, "did you mean", | head."""
import subprocess
import sys

import pytest

import flake8_cio
from flake8_cio.__main__ import main as package_main
from flake8_cio.fixers import catalog_cli, cli


def test_python_m_flake8_cio_has_help_and_version(capsys):
    assert package_main(["--version"]) == 0
    assert capsys.readouterr().out == f"flake8-cio {flake8_cio.__version__}\n"
    assert package_main(["--help"]) == 0
    assert "python -m flake8_cio fix" in capsys.readouterr().out
    assert package_main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'; commands: lint, fix, catalog" in capsys.readouterr().err


def test_python_m_flake8_cio_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "flake8_cio", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == f"flake8-cio {flake8_cio.__version__}\n"


def test_lint_selects_cio_and_e9_so_a_syntax_error_fails(tmp_path, monkeypatch, capsys):
    (tmp_path / "broken.py").write_text("import customerio\ndef f(:\n")
    monkeypatch.chdir(tmp_path)
    assert package_main(["lint", "--isolated", "broken.py"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("broken.py:2:") and " E999 SyntaxError" in out


@pytest.mark.parametrize("main, prog", [(cli.main, "cio-fix"), (catalog_cli.main, "cio-catalog")])
def test_version(main, prog, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0 and capsys.readouterr().out.startswith(f"{prog} {flake8_cio.__version__}")


def test_an_unknown_option_gets_the_nearest_known_one(capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(["--unsafe-fixs", "."])
    assert exit.value.code == 2
    assert "unrecognized arguments: --unsafe-fixs (did you mean --unsafe-fixes?)" in capsys.readouterr().err


class ClosedPipe:
    """stdout after `| head` has exited: every write fails as it does then."""

    def __init__(self, file):
        self.file = file

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    flush = write

    def fileno(self):
        return self.file.fileno()


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text("from customerio import CustomerIO\n"
                                     "cio = CustomerIO('3f2a9c81d7e4b6051a2f', '9b8c7d6e5f4a3b2c1d0e')\n")
    monkeypatch.chdir(tmp_path)
    with open(tmp_path / "out", "w") as out:
        monkeypatch.setattr(sys, "argv", ["cio-fix", "--isolated", "--report", "json", "."])
        monkeypatch.setattr(sys, "stdout", ClosedPipe(out))
        with pytest.raises(SystemExit) as exit:  # and not BrokenPipeError
            cli.run()
    assert exit.value.code == 1


def test_cio_catalog_extract_reads_a_file_in_its_declared_encoding(tmp_path, capsys):
    source = ("# -*- coding: latin-1 -*-\n# caf\xe9\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n"
              "cio.track('1', 'order_paid', data={'plan': 'pro'})\n")
    (tmp_path / "app.py").write_bytes(source.encode("latin-1"))
    assert catalog_cli.main(["extract", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "[events.order_paid]" in out.out and "skipped" not in out.err
