"""A fix that imports flake8_cio.runtime is safe only in a project that declares flake8-cio as a runtime
dependency: elsewhere the fixed code would fail with ImportError where it is deployed."""
import subprocess
import sys

import pytest

from flake8_cio.fixers import cli
from flake8_cio.fixers.dependencies import declarations

APP = '''from customerio import CustomerIO
from flask import Flask

app = Flask(__name__)
cio = CustomerIO("s", "k")


@app.route("/signup", methods=["POST"])
def signup():
    cio.track("1", "signed_up")
    return "", 204
'''

DECLARED = {
    "requirements.txt": "flask>=3\nflake8-cio[redis]>=0.1 ; python_version >= '3.10'  # the runtime client\n",
    "requirements/base.txt": "-r common.txt\n",  # through an include
    "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["Flask>=3", "Flake8_CIO>=0.1"]\n',
    "poetry/pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\nflake8-cio = "^0.1"\n',
    "setup.cfg": "[options]\ninstall_requires =\n    flask\n    flake8-cio>=0.1\n",
    "setup.py": "from setuptools import setup\nREQUIRES = ['flask', 'flake8.cio']\nsetup(install_requires=REQUIRES)\n",
    "Pipfile": '[packages]\nflask = "*"\n"flake8-cio" = ">=0.1"\n',
}
NOT_DECLARED = {
    "requirements.txt": "flask>=3\n# flake8-cio is only a linter here\n",
    "requirements-dev.txt": "flake8-cio[lint]\n",  # development only: not where the app is deployed from
    "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["flask"]\n'
                      '[project.optional-dependencies]\nlint = ["flake8-cio[lint]"]\n'
                      '[dependency-groups]\ndev = ["flake8-cio"]\n',
    "poetry/pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'
                             '[tool.poetry.group.dev.dependencies]\nflake8-cio = "^0.1"\n',
    "setup.cfg": "[options]\ninstall_requires = flask\n[options.extras_require]\nlint = flake8-cio\n",
    "Pipfile": '[packages]\nflask = "*"\n[dev-packages]\n"flake8-cio" = "*"\n',
    "none": None,  # no dependency file at all
}


def project(tmp_path, name, text):
    folder = tmp_path / "shop"
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    if text is not None:
        (folder / name).write_text(text)
    if name == "requirements/base.txt":
        (folder / "requirements" / "common.txt").write_text("flake8-cio==0.1.0\n")
    app = (folder if name.startswith("requirements/") else (folder / name).parent) / "app.py"
    app.write_text(APP)
    return app


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_declared_in_every_style(tmp_path, name):
    assert declarations(str(project(tmp_path, name, DECLARED[name]))).declared


@pytest.mark.parametrize("name", sorted(NOT_DECLARED))
def test_not_declared_for_production(tmp_path, name):
    assert not declarations(str(project(tmp_path, name, NOT_DECLARED[name]))).declared


def fix(app, capsys, *args):
    code = cli.main(["--isolated", "--jobs", "1", *args, str(app)])
    return code, capsys.readouterr()


def test_where_it_is_not_declared_the_safe_fix_becomes_unsafe_and_the_summary_says_where(tmp_path, capsys):
    app = project(tmp_path, "requirements.txt", NOT_DECLARED["requirements.txt"])
    code, out = fix(app, capsys)
    assert code == 1 and app.read_text() == APP
    assert "CIO501" in out.out and "[unsafe fix: --unsafe-fixes]" in out.out
    assert ("1 safe fixes need flake8_cio.runtime and are left as unsafe (--unsafe-fixes): flake8-cio is not a "
            f"runtime dependency of {app.parent} (add it to requirements.txt)") in out.err
    code, out = fix(app, capsys, "--unsafe-fixes")
    assert "nonblocking(cio).track(" in app.read_text()
    assert "1 fixes import flake8_cio.runtime, but flake8-cio is not a runtime dependency" in out.err


def test_where_it_is_declared_the_fix_is_safe_and_nothing_is_said(tmp_path, capsys):
    app = project(tmp_path, "pyproject.toml", DECLARED["pyproject.toml"])
    code, out = fix(app, capsys)
    assert code == 0 and "nonblocking(cio).track(" in app.read_text()
    assert "runtime dependency" not in out.err and "fixes: CIO501x1" in out.err


def test_the_report_says_unsafe_too(tmp_path, capsys, monkeypatch):
    app = project(tmp_path, "none", None)
    monkeypatch.chdir(app.parent)
    code, out = fix(app, capsys, "--report", "json")
    assert code == 1 and '"applicability": "unsafe"' in out.out


@pytest.mark.parametrize("files, imports", [(NOT_DECLARED, True), (DECLARED, False)])
def test_the_safe_run_leaves_a_program_that_imports_where_flake8_cio_is_not_installed(tmp_path, capsys, files, imports):
    """Proof by running: after a safe run, the app imports on an interpreter without flake8_cio (as where it is
    deployed from its requirements) when the project does not declare it; where it does, the fix was made."""
    app = project(tmp_path, "requirements.txt", files["requirements.txt"])
    fix(app, capsys)
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "flake8_cio.py").write_text("raise ImportError('flake8-cio is not installed here')\n")
    run = subprocess.run([sys.executable, "-c", "import app; assert app.app.url_map"], cwd=app.parent,
                         env={"PYTHONPATH": str(blocker)}, capture_output=True, text=True)
    assert (run.returncode == 0) is imports, run.stderr
    assert ("flake8-cio is not installed here" in run.stderr) is not imports
