"""What users install: the built sdist and wheel (names, docs, typing marker, license, metadata), a runtime-only
install without the linter, and the smoke run of the installed wheel on every other supported Python (nox)."""
import email
import json
import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import nox.project
import pytest

import flake8_cio

ROOT = Path(__file__).parent.parent
pytestmark = [pytest.mark.timeout(1800), pytest.mark.slow]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """sdist, then the wheel built from that sdist (python -m build): a file missing from the sdist fails here."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], check=True,
                           capture_output=True, text=True)
    (out / "build.log").write_text(built.stdout + built.stderr)
    return out


def test_the_build_warns_about_nothing(dist):
    assert "deprecat" not in (dist / "build.log").read_text().lower()


@pytest.fixture(scope="module")
def wheel(dist) -> zipfile.ZipFile:
    (path,) = dist.glob("*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_installs_only_flake8_cio(wheel):
    top = {name.split("/")[0] for name in wheel.namelist() if ".dist-info/" not in name}
    assert top == {"flake8_cio"}


def test_the_wheel_ships_typing_marker_rule_docs_and_license(wheel):
    names = set(wheel.namelist())
    assert {"flake8_cio/py.typed", "flake8_cio/docs.py", "flake8_cio/runtime/__init__.py"} <= names
    assert any(re.search(r"\.dist-info/(licenses/)?LICENSE$", name) for name in names)


def test_metadata_version_urls_and_a_linter_free_runtime(wheel):
    (meta,) = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
    metadata = email.message_from_bytes(wheel.read(meta))
    assert metadata["Version"] == flake8_cio.__version__
    assert any(url.startswith("Homepage, https://") for url in metadata.get_all("Project-URL"))
    assert metadata["License-Expression"] == "MIT" and "License ::" not in str(metadata.get_all("Classifier"))
    assert sorted(metadata.get_all("Provides-Extra")) == ["lint", "redis", "testing"]  # no development-only extras
    always = [r for r in metadata.get_all("Requires-Dist") if "extra ==" not in r]
    # packaging: the pins the engine reads (a small pure-Python package; no linter)
    assert sorted(re.split(r"[<>=; ]", r)[0] for r in always) == ["packaging", "tomli", "urllib3"]


def test_the_readme_pre_commit_rev_is_this_version():
    revs = re.findall(r"flake8-cio/flake8-cio\n\s+rev: (\S+)", (ROOT / "README.md").read_text())
    assert revs == [f"v{flake8_cio.__version__}"]


def test_importing_the_runtime_loads_no_linter():
    code = ("import sys, flake8_cio.runtime, flake8_cio.runtime.integrations, flake8_cio.runtime.pipelines; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'flake8', 'libcst', 'pycodestyle', 'pyflakes'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_runtime_only_install_has_no_linter_and_cio_fix_says_what_to_install(dist, tmp_path):
    """What production gets from `pip install flake8-cio`: urllib3 (and tomli before 3.11), nothing else."""
    (wheel_path,) = dist.glob("*.whl")
    venv.create(tmp_path / "env", with_pip=True)
    python = tmp_path / "env" / "bin" / "python"
    clean = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}  # only what the venv has

    def installed() -> set[str]:
        listed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], check=True, capture_output=True,
                                text=True, env=clean).stdout
        return {line.split("==")[0].lower() for line in listed.split()}

    before = installed()
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel_path)], check=True, capture_output=True, env=clean)
    assert installed() - before == {"flake8-cio", "urllib3", "packaging",
                                    *(["tomli"] if sys.version_info < (3, 11) else [])}
    use = subprocess.run([python, "-c", "from flake8_cio.runtime import get_client, nonblocking; print('ok')"],
                         capture_output=True, text=True, env=clean)
    assert use.stdout.strip() == "ok", use.stderr
    fix = subprocess.run([tmp_path / "env" / "bin" / "cio-fix", "."], cwd=tmp_path, capture_output=True, text=True,
                         env=clean)
    assert fix.returncode == 2 and "Traceback" not in fix.stderr
    assert "python3 -m pip install 'flake8-cio[lint]'" in fix.stderr
    catalog = subprocess.run([tmp_path / "env" / "bin" / "cio-catalog", "extract", "."], cwd=tmp_path,
                             capture_output=True, text=True, env=clean)
    assert catalog.returncode == 2 and "flake8-cio[lint]" in catalog.stderr and "Traceback" not in catalog.stderr
    explain = subprocess.run([tmp_path / "env" / "bin" / "cio-fix", "--explain", "CIO101"], capture_output=True,
                             text=True, env=clean)  # the rule docs come from the wheel alone
    assert explain.stdout.startswith("# CIO101 millisecond-timestamp\n"), explain.stderr


MAIN = f"{sys.version_info.major}.{sys.version_info.minor}"
OTHERS = [v for v in nox.project.python_versions(nox.project.load_toml(ROOT / "pyproject.toml")) if v != MAIN]
USER_CACHE = os.environ.get("XDG_CACHE_HOME")  # read before conftest's isolated_cache: nox keeps its venvs there


@pytest.fixture(scope="module")
def smoke_runs(dist, tmp_path_factory) -> tuple[dict, str]:
    """noxfile.py's sessions, all at once, on the wheel built above: (session name: nox's report of it, output)."""
    (wheel_path,) = dist.glob("*.whl")
    report = tmp_path_factory.mktemp("nox") / "report.json"
    env = {key: value for key, value in os.environ.items() if key != "XDG_CACHE_HOME"}
    env.update({"FLAKE8_CIO_WHEEL": str(wheel_path)}, **({"XDG_CACHE_HOME": USER_CACHE} if USER_CACHE else {}))
    command = [sys.executable, "-m", "nox", "--noxfile", str(ROOT / "noxfile.py"), "-s", "smoke",
               "--parallel", str(len(OTHERS)), "--report", str(report)]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert report.exists(), result.stdout  # nox itself failed: no session ran
    sessions = {session["signatures"][0]: session for session in json.loads(report.read_text())["sessions"]}
    return sessions, result.stdout


@pytest.mark.parametrize("python", OTHERS)
def test_smoke_run_of_the_installed_wheel(smoke_runs, python):
    """noxfile.py's session: install the wheel on that Python, run the plugin, cio-fix and runtime tests against
    it. A Python that is not installed is skipped with nox's reason."""
    sessions, output = smoke_runs
    session = sessions[f"smoke-{python}"]
    if session["result"] == "skipped":
        pytest.skip(session["reason"])
    # nox prints each session's output whole, once it ended (--parallel): this one's is the block naming it
    own = [block for block in re.split(r"(?=nox > Running session )", output) if f"session smoke-{python}\n" in block]
    assert session["result"] == "success", "\n".join("".join(own).splitlines()[-80:])
