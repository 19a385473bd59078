"""The fake server, the Data Pipelines destination and the operational endpoints are typed like the core
(py.typed ships with the package, so users' mypy reads them)."""
import subprocess
import sys
from pathlib import Path

import pytest

import flake8_cio

pytestmark = pytest.mark.timeout(300)
pytest.importorskip("mypy")  # typing is checked where the test extra is installed, not in the wheel smoke runs
ROOT = Path(flake8_cio.__file__).resolve().parent.parent  # the checkout, or site-packages for an installed wheel


def test_testing_pipelines_and_integrations_pass_mypy_strict():
    files = [str(ROOT / "flake8_cio" / "runtime" / f"{name}.py") for name in ("testing", "pipelines", "integrations")]
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
                             "--python-version", "3.10", *files], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout
