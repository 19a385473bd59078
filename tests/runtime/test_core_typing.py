"""The runtime's public API is typed (py.typed, mypy --strict): get_client() is a RuntimeClient to users, not Any."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import flake8_cio

pytestmark = pytest.mark.timeout(300)
pytest.importorskip("mypy")  # typing is checked where the test extra is installed, not in the wheel smoke runs
ROOT = Path(flake8_cio.__file__).resolve().parent.parent  # the checkout, or site-packages for an installed wheel
RUNTIME = ["__init__", "client", "delivery", "spool", "policy", "app", "transport"]

USER_PROGRAM = textwrap.dedent("""
    from flake8_cio.runtime import AppClient, DeliveryError, RuntimeClient, get_app_client, get_client

    def client() -> RuntimeClient:
        return get_client()

    def delivered() -> bool:
        cio = get_client(region="eu", flush_interval=0.2)
        cio.track("u1", "order_placed", data={"total": 3})
        cio.identify("u1", plan="pro")
        return cio.flush(1.0)

    def email(api: AppClient) -> str:
        try:
            return str(get_app_client().send_email({"transactional_message_id": 1})["delivery_id"])
        except DeliveryError as error:
            return str(error.status)

    def mistake() -> None:
        get_client().track("u1")
""")


def test_the_runtime_passes_mypy_strict():
    files = [str(ROOT / "flake8_cio" / "runtime" / f"{name}.py") for name in RUNTIME]
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
                             "--python-version", "3.10", *files], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_a_user_program_is_checked_against_the_runtime_types(tmp_path):
    assert (ROOT / "flake8_cio" / "py.typed").exists()
    program = tmp_path / "app.py"
    program.write_text(USER_PROGRAM)
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", str(program)],
                            capture_output=True, text=True, cwd=ROOT)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and 'Missing positional argument "name" in call to "track"' in errors[0], result.stdout
