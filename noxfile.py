"""Smoke runs on the other supported Pythons (pyproject's classifiers): each session installs the wheel, not the
source tree, and runs the plugin, cio-fix and runtime tests against it. The main interpreter runs the whole suite
(scripts/test.sh), and tests/test_packaging.py runs these sessions, all at once (`nox --parallel`: the runtime tests
mostly wait on sockets and timers), on the wheel it built ($FLAKE8_CIO_WHEEL); without it, a session builds its own.

The virtual environments are kept between runs in the user's cache (~/.cache/flake8-cio-tests/nox/KEY, KEY a hash of
requirements/smoke.txt and the package's dependencies, so a changed pin gets new ones): a second run installs only
the wheel. A lock per session keeps two runs on this machine (two checkouts, say) out of each other's venv. `nox
--envdir .nox` keeps them in the checkout instead; deleting the cache folder is always safe.

An interpreter that is not installed is skipped with nox's own line ("Python interpreter 3.10 not found"), on CI
too. Interpreters are found on PATH as python3.X; pyenv builds count as well (all of them are put behind pyenv's
shims, the current one first, so `python3` does not change)."""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox
from filelock import FileLock

ROOT = Path(__file__).parent
PROJECT = nox.project.load_toml(ROOT / "pyproject.toml")["project"]
MAIN = f"{sys.version_info.major}.{sys.version_info.minor}"
OTHERS = [version for version in nox.project.python_versions({"project": PROJECT}) if version != MAIN]
# the plugin, cio-fix and the runtime's core (data, the drop-in, delivery over HTTP, the journal): what differs between
# interpreters; the whole runtime suite runs on the main one
SMOKE_TESTS = ["tests/test_plugin.py", "tests/test_cli.py", "tests/runtime/test_core_data.py",
               "tests/runtime/test_dropin.py", "tests/runtime/test_delivery.py"]
SMOKE_REQUIREMENTS = ROOT / "requirements" / "smoke.txt"
# what the venvs hold besides the wheel: a change to any of it makes new ones
KEY = hashlib.sha256(json.dumps([SMOKE_REQUIREMENTS.read_text(), PROJECT["dependencies"],
                                 PROJECT["optional-dependencies"]]).encode()).hexdigest()[:16]
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "flake8-cio-tests" / "nox" / KEY

os.environ.pop("PYTHONPATH", None)  # the sessions must import the installed wheel, never a source tree
nox.options.sessions = ["smoke"]
nox.options.envdir = str(CACHE)
nox.options.reuse_venv = "yes"  # the cached venv, when there is one; `nox --reuse-venv no` makes it anew
nox.options.error_on_missing_interpreters = False  # absent is a skip, not a failure, on CI as well

if shutil.which("pyenv"):  # pyenv's shims then find every build; the one in use (its shim sets it) stays first
    current = os.environ.get("PYENV_VERSION") or subprocess.run(
        ["pyenv", "version-name"], capture_output=True, text=True).stdout.strip()
    builds = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True).stdout.split()
    os.environ["PYENV_VERSION"] = ":".join(filter(None, dict.fromkeys([*current.split(":"), *builds])))


@nox.session(python=OTHERS, allow_parallel=True)
def smoke(session: nox.Session) -> None:
    with FileLock(f"{session.virtualenv.location}.lock"):  # another run's pip or pytest in this venv: wait for it
        tmp = Path(session.create_tmp())
        wheel = os.environ.get("FLAKE8_CIO_WHEEL")
        if not wheel:
            shutil.rmtree(tmp / "dist", ignore_errors=True)
            session.run("python", "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp / "dist"),
                        str(ROOT))
            (wheel,) = glob.glob(str(tmp / "dist" / "*.whl"))
        session.install(f"{wheel}[lint,redis]", "-r", str(SMOKE_REQUIREMENTS))  # quick when the venv has them
        # a reused venv holds an earlier build of the same version, which pip would call satisfied
        session.install("--force-reinstall", "--no-deps", wheel)
        # the tests run from a copy, so that `import flake8_cio` can only find the installed wheel
        shutil.rmtree(tmp / "tests", ignore_errors=True)
        shutil.copytree(ROOT / "tests", tmp / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        session.chdir(tmp)
        session.run("python", "-c", "import flake8_cio, sys; assert 'site-packages' in flake8_cio.__file__, "
                    "flake8_cio.__file__; print('testing', flake8_cio.__file__, 'on', sys.version.split()[0])")
        session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "timeout=300", *SMOKE_TESTS,
                    *session.posargs)
