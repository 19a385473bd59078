"""CIO302 and CIO303 on multi-module projects, through the real engine and project model: exact codes and lines."""
import shutil
from pathlib import Path

import pytest

from flake8_cio.engine import check_source
from flake8_cio.options import Options

PROJECTS = Path(__file__).parent / "projects"
CODES = {"CIO302", "CIO303"}

EXPECTED = {
    "lifecycle_signup": {("shop/accounts.py", 8, "CIO302"), ("shop/crm.py", 6, "CIO303")},
    "lifecycle_emailed": {("app/signup.py", 16, "CIO302")},
    "lifecycle_transactional": set(),
    "lifecycle_pipelines": {("web/tracking.py", 10, "CIO303")},
    "lifecycle_push_only": {("notify/devices.py", 10, "CIO303")},  # its `# options:` line is not read here
    "lifecycle_opaque": set(),
}


def findings(root: Path, options: Options) -> set[tuple[str, int, str]]:
    return {(path.relative_to(root).as_posix(), f.line, f.code)
            for path in sorted(root.rglob("*.py"))
            for f in check_source(path.read_text("utf-8"), str(path), options) if f.code in CODES}


@pytest.mark.parametrize("project", sorted(EXPECTED))
def test_fixture_project(project, tmp_path):
    options = Options(cache_dir=str(tmp_path))
    assert findings(PROJECTS / project, options) == EXPECTED[project]
    assert findings(PROJECTS / project, options) == EXPECTED[project]  # again, from cached summaries


def test_the_option_turns_cio303_off_for_push_or_sms_only_workspaces(tmp_path):
    assert findings(PROJECTS / "lifecycle_push_only", Options(cache_dir=str(tmp_path), email_profiles=False)) == set()


def test_an_email_sent_by_any_module_silences_cio303_and_without_it_one_identify_is_reported(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(PROJECTS / "lifecycle_emailed", root)
    options = Options(cache_dir=str(tmp_path / "cache"))
    assert ("app/profiles.py", 5, "CIO303") not in findings(root, options)
    profiles = root / "app" / "profiles.py"
    profiles.write_text(profiles.read_text().replace("email=user.email", "verified=True"))
    # the first identify of a signup flow: register_profile, which signup.register calls
    assert {f for f in findings(root, options) if f[2] == "CIO303"} == {("app/profiles.py", 5, "CIO303")}


def test_cio302_names_the_later_identify_in_another_module(tmp_path):
    path = PROJECTS / "lifecycle_signup" / "shop" / "accounts.py"
    found = check_source(path.read_text(), str(path), Options(cache_dir=str(tmp_path)))
    found = [f for f in found if f.code == "CIO302"]
    assert [f.message.split(":")[0] for f in found] == [
        "`track` for `user.id` is sent before that person is identified (`shop.crm.create_profile()` on line 9)"]


SIGNUP = """\
from customerio import CustomerIO
cio = CustomerIO(SITE_ID, API_KEY)

def signup(user):
    cio.identify(user.id, plan="free")

def sync(user):
    cio.identify(user.id, plan=user.plan)
"""


def test_a_source_without_a_file_is_the_whole_program():
    assert [(f.line, f.code) for f in check_source(SIGNUP, "<string>") if f.code in CODES] == [(5, "CIO303")]
    emailed = SIGNUP.replace("plan=user.plan", "email=user.email")
    assert [f for f in check_source(emailed, "<string>") if f.code in CODES] == []


def test_a_module_of_an_unread_project_is_never_judged_alone():
    assert [f for f in check_source(SIGNUP, "<string>", Options(project_analysis=False)) if f.code in CODES] == []


def test_a_test_module_is_never_where_profiles_are_created(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(PROJECTS / "lifecycle_signup", root)
    (root / "tests").mkdir()
    (root / "tests" / "test_signup.py").write_text(
        "from shop.clients import cio\n\n\ndef test_signup(user):\n    cio.identify(user.id, plan='free')\n")
    crm = root / "shop" / "crm.py"
    crm.write_text(crm.read_text().replace("def create_profile", "def save"))  # signup now calls nothing known
    assert {f for f in findings(root, Options(cache_dir=str(tmp_path / "cache"))) if f[2] == "CIO303"} == set()
