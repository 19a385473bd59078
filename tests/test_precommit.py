"""The pre-commit hooks, run by the real pre-commit (`try-repo`) on a staged file in a throw-away git repo."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BAD = ("import time\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n"
       "cio.identify('1', at=int(time.time() * 1000))\n")
GOOD = BAD.replace(" * 1000", "")

pytestmark = [pytest.mark.timeout(900),
              pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")]


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory):
    """A pre-commit home shared by the tests (the hook environment is built once) and the repo under test."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    source = tmp_path_factory.mktemp("flake8-cio") / "repo"
    # try-repo clones; a copy of the working tree with one commit is what a user's pinned rev would be
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "*.egg-info", "__pycache__", ".pytest_cache",
                                                                ".hypothesis", "build"))
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-qm", "snapshot")
    return {"PRE_COMMIT_HOME": str(home), "source": str(source)}


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd, check=True)


def try_repo(env, project: Path, hook: str):
    environment = {**os.environ, "PRE_COMMIT_HOME": env["PRE_COMMIT_HOME"]}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", env["source"], hook, "--verbose"],
                          cwd=project, capture_output=True, text=True, env=environment)


def staged_project(tmp_path, text):
    git(tmp_path, "init", "-q")
    (tmp_path / "app.py").write_text(text)
    git(tmp_path, "add", "app.py")
    return tmp_path


def test_flake8_cio_hook_fails_on_findings(hook_env, tmp_path):
    project = staged_project(tmp_path, BAD)
    result = try_repo(hook_env, project, "flake8-cio")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.py:4:26: CIO101 millisecond epoch timestamp" in result.stdout


def test_cio_fix_hook_fixes_and_fails_then_passes(hook_env, tmp_path):
    project = staged_project(tmp_path, BAD)
    first = try_repo(hook_env, project, "cio-fix")
    assert first.returncode == 1, first.stdout + first.stderr
    assert (project / "app.py").read_text() == GOOD
    git(project, "add", "app.py")
    second = try_repo(hook_env, project, "cio-fix")
    assert second.returncode == 0, second.stdout + second.stderr


def test_the_two_hooks_agree_on_what_is_left(hook_env, tmp_path):
    keys = "from customerio import CustomerIO\ncio = CustomerIO('3f2a9c81d7e4b6051a2f', '9b8c7d6e5f4a3b2c1d0e')\n"
    project = staged_project(tmp_path, BAD + keys.split("\n", 1)[1])
    fixed = try_repo(hook_env, project, "cio-fix")
    git(project, "add", "app.py")
    linted = try_repo(hook_env, project, "flake8-cio")
    reported = [line for line in linted.stdout.splitlines() if line.startswith("app.py:")]
    assert len(reported) == 2 and all("CIO402" in line for line in reported), linted.stdout
    assert "fixes: CIO101x1; 2 findings left" in fixed.stdout, fixed.stdout
