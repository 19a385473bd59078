"""Smoke runs on the other supported Pythons (pyproject's classifiers): each session builds the wheel with that
interpreter, installs it, not the source tree, and runs the plugin, cio-fix and runtime tests against it. The main
interpreter runs the whole suite (scripts/test.sh), and tests/test_packaging.py runs these sessions.

An interpreter that is not installed is skipped with nox's own line ("Python interpreter 3.10 not found"), on CI
too. Interpreters are found on PATH as python3.X; pyenv builds count as well (all of them are put behind pyenv's
shims, the current one first, so `python3` does not change)."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
MAIN = f"{sys.version_info.major}.{sys.version_info.minor}"
OTHERS = [version for version in nox.project.python_versions(nox.project.load_toml(ROOT / "pyproject.toml"))
          if version != MAIN]
# the plugin, cio-fix and the runtime's core (data, the drop-in, delivery over HTTP, the journal): what differs between
# interpreters; the whole runtime suite runs on the main one
SMOKE_TESTS = ["tests/test_plugin.py", "tests/test_cli.py", "tests/runtime/test_core_data.py",
               "tests/runtime/test_dropin.py", "tests/runtime/test_delivery.py"]

os.environ.pop("PYTHONPATH", None)  # the sessions must import the installed wheel, never a source tree
nox.options.sessions = ["smoke"]
nox.options.error_on_missing_interpreters = False  # absent is a skip, not a failure, on CI as well

if shutil.which("pyenv"):  # pyenv's shims then find every build; the one in use (its shim sets it) stays first
    current = os.environ.get("PYENV_VERSION") or subprocess.run(
        ["pyenv", "version-name"], capture_output=True, text=True).stdout.strip()
    builds = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True).stdout.split()
    os.environ["PYENV_VERSION"] = ":".join(filter(None, dict.fromkeys([*current.split(":"), *builds])))


@nox.session(python=OTHERS)
def smoke(session: nox.Session) -> None:
    tmp = Path(session.create_tmp())
    shutil.rmtree(tmp / "dist", ignore_errors=True)
    session.run("python", "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp / "dist"), str(ROOT))
    (wheel,) = glob.glob(str(tmp / "dist" / "*.whl"))
    session.install(f"{wheel}[lint,redis]", "-r", str(ROOT / "requirements" / "smoke.txt"))
    # the tests run from a copy, so that `import flake8_cio` can only find the installed wheel
    shutil.rmtree(tmp / "tests", ignore_errors=True)
    shutil.copytree(ROOT / "tests", tmp / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    session.chdir(tmp)
    session.run("python", "-c", "import flake8_cio, sys; assert 'site-packages' in flake8_cio.__file__, "
                "flake8_cio.__file__; print('testing', flake8_cio.__file__, 'on', sys.version.split()[0])")
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "timeout=300", *SMOKE_TESTS,
                *session.posargs)
