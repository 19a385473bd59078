"""cio-fix before/after pairs: exact output, idempotent, still compiles, and the fixed codes are gone."""
import subprocess
import sys
from pathlib import Path

import isort
import pytest

from flake8_cio.fixers.transform import fix_source
from flake8_cio.engine import check_source
from flake8_cio.options import Options

FIXES = Path(__file__).parent / "fixes"
PAIRS = sorted(p for p in FIXES.glob("*.py") if not p.name.endswith(".fixed.py"))


@pytest.mark.parametrize("before", PAIRS, ids=lambda p: p.stem)
def test_fix_pair(before):
    source = before.read_text()
    expected = before.with_name(before.stem + ".fixed.py").read_text()
    unsafe = "# cio-fix: --unsafe-fixes" in source
    result = fix_source(source, before.name, Options(), unsafe=unsafe)
    assert result.source == expected
    compile(result.source, before.name, "exec")
    assert longest(result.source) <= max(longest(source), 79)  # no line grows past the file's longest or flake8's
    again = fix_source(result.source, before.name, Options(), unsafe=unsafe)
    assert again.source == result.source and again.applied == []
    fixed_codes = {f.code for f in result.applied}
    left = {(f.code, f.line) for f in check_source(result.source, before.name) if f.code in fixed_codes and f.fix
            and (f.safety == "safe" or unsafe)}
    assert left == set()


def longest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


# isort's most common setup; in a user's project flake8_cio is an installed (third-party) package
ISORT = isort.Config(profile="black", known_third_party=["flake8_cio"])


@pytest.mark.parametrize("before", PAIRS, ids=lambda p: p.stem)
def test_a_file_isort_accepts_is_still_accepted_after_every_fix(before):
    """The imports cio-fix adds go where isort would put them (block, order, blank lines)."""
    source = isort.code(before.read_text(), config=ISORT)
    result = fix_source(source, before.name, Options(), unsafe=True)
    assert result.applied
    assert isort.check_code(result.source, config=ISORT), isort.code(result.source, config=ISORT)


def test_safe_run_leaves_unsafe_fixes_alone():
    source = (FIXES / "events_unsafe.py").read_text()
    result = fix_source(source, "events.py", Options(), unsafe=False)
    assert result.source == source
    assert {"CIO201", "CIO202", "CIO301"} <= {f.code for f in result.remaining}


def test_noqa_is_honoured_by_the_fixer():
    source = "import time\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n" \
             "cio.identify('1', at=time.time() * 1000)  # noqa: CIO101\n"
    assert fix_source(source, "a.py", Options()).source == source


def test_select_and_ignore():
    source = (FIXES / "timestamps.py").read_text()
    only_103 = fix_source(source, "t.py", Options(), select=frozenset({"CIO103"}))
    assert {f.code for f in only_103.applied} == {"CIO103"}
    no_101 = fix_source(source, "t.py", Options(), ignore=frozenset({"CIO101"}))
    assert "CIO101" not in {f.code for f in no_101.applied}


def test_fixes_are_only_promised_where_they_apply():
    source = ("import os\nfrom django.conf import settings\nfrom customerio import APIClient, CustomerIO\n"
              "TRACK_KEY = os.environ['CIO_TRACK_KEY']\n"
              "a = APIClient(settings.CUSTOMERIO_SITE_ID)\n"   # nothing to swap SITE with
              "b = APIClient(TRACK_KEY)\n"                      # a variable: APP_KEY may not exist
              "with CustomerIO(S, K) as c:\n    pass\n")         # get_client would be closed by the with
    findings = {(f.line, f.code): f.fix for f in check_source(source, "app.py")}
    assert findings == {(5, "CIO403"): None, (6, "CIO403"): None}
    result = fix_source(source, "app.py", Options(), unsafe=True)
    assert result.source == source


TWO_FIXES = ("from datetime import datetime\nimport time\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n"
             "cio.identify('1', at=time.time() * 1000, seen=datetime.now())\n")


def test_a_fix_that_leaves_its_finding_is_reverted_and_the_others_kept(monkeypatch):
    from flake8_cio.rules import timestamps

    monkeypatch.setattr(timestamps, "_drop_scale", lambda node, finding, edit: node.with_changes())
    result = fix_source(TWO_FIXES, "a.py", Options())
    assert [f.code for f in result.applied] == ["CIO103"]
    assert "time.time() * 1000" in result.source and "datetime.now(timezone.utc)" in result.source


def test_a_fix_whose_result_does_not_parse_is_reverted_and_reported(monkeypatch):
    import libcst as cst
    from flake8_cio.rules import timestamps

    monkeypatch.setattr(timestamps, "_drop_scale", lambda node, finding, edit: cst.Name("class"))
    monkeypatch.delenv("CIO_STRICT")  # as in use: reverted, not raised
    result = fix_source(TWO_FIXES, "a.py", Options())
    assert [f.code for f in result.applied] == ["CIO103"]
    compile(result.source, "a.py", "exec")
    assert [(f.code, reason.split(":")[0]) for f, reason in result.failures] == [("CIO101", "SyntaxError")]


def broken(node, finding, edit):
    raise ValueError("a bug in one fix")


def test_a_fix_that_fails_is_reverted_reported_and_the_others_kept(monkeypatch):
    from flake8_cio.rules import timestamps

    monkeypatch.setattr(timestamps, "_drop_scale", broken)
    monkeypatch.delenv("CIO_STRICT")
    result = fix_source(TWO_FIXES, "a.py", Options())
    assert [f.code for f in result.applied] == ["CIO103"]
    failures = [(f.code, f.line, reason) for f, reason in result.failures]
    assert failures == [("CIO101", 5, "ValueError: a bug in one fix")]


def test_under_tests_a_fix_that_fails_fails_the_test(monkeypatch):
    from flake8_cio.fixers.transform import FixError
    from flake8_cio.rules import timestamps

    monkeypatch.setattr(timestamps, "_drop_scale", broken)
    with pytest.raises(FixError, match="CIO101"):
        fix_source(TWO_FIXES, "a.py", Options())


def test_cio_fix_names_the_file_and_rule_of_a_fix_that_failed(monkeypatch, tmp_path, capsys):
    from flake8_cio.fixers import cli
    from flake8_cio.rules import timestamps

    monkeypatch.setattr(timestamps, "_drop_scale", broken)
    monkeypatch.delenv("CIO_STRICT")
    (tmp_path / "a.py").write_text(TWO_FIXES)
    assert cli.main(["--isolated", "--jobs", "1", str(tmp_path / "a.py")]) == 1  # the CIO101 finding is left
    assert f"{tmp_path / 'a.py'}:5:22: the CIO101 fix failed (ValueError: a bug in one fix)" in capsys.readouterr().err


def test_unfixable_and_extend_unsafe():
    assert fix_source(TWO_FIXES, "a.py", Options(), unfixable=frozenset({"CIO1"})).source == TWO_FIXES
    demoted = fix_source(TWO_FIXES, "a.py", Options(), extend_unsafe=frozenset({"CIO103"}))
    assert [f.code for f in demoted.applied] == ["CIO101"]
    assert [f.code for f in fix_source(TWO_FIXES, "a.py", Options(), unsafe=True,
                                       extend_unsafe=frozenset({"CIO103"})).applied] == ["CIO101", "CIO103"]


def test_linting_never_imports_libcst(tmp_path):
    """The flake8 plugin path (engine, rules, their fix functions) must not load libcst: it would make every
    flake8 run several times slower."""
    (tmp_path / "app.py").write_text((FIXES / "timestamps.py").read_text())
    code = ("import sys, flake8.main.cli as cli\n"
            "try:\n    cli.main(['--select', 'CIO', sys.argv[1]])\nexcept SystemExit as done:\n"
            "    assert done.code == 1, done.code\n"
            "print('libcst' in sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "app.py")], capture_output=True, text=True)
    assert "CIO101" in run.stdout and run.stdout.strip().endswith("False"), run.stdout + run.stderr


def test_track_keywords_are_rewritten_only_in_projects_on_the_3x_sdk(tmp_path):
    """CIO404's rewrite is right only on customerio 3.x: the SDK version comes from the project's pin."""
    source = "from customerio import CustomerIO\ncio = CustomerIO(S, K)\ncio.track('1', 'paid', plan='pro')\n"
    fixed = {}
    for pin in ("2.4", "3.2.0"):
        project = tmp_path / pin
        project.mkdir()
        (project / "requirements.txt").write_text(f"customerio=={pin}\n")
        (project / "billing.py").write_text(source)
        fixed[pin] = fix_source(source, str(project / "billing.py"), Options()).source
    assert fixed["2.4"] == source
    assert "cio.track('1', 'paid', data={\"plan\": 'pro'})" in fixed["3.2.0"]


@pytest.mark.parametrize("pin, finding", [
    ("customerio==0.1.3", False),  # 0.x: keyword arguments were never an error there: no CIO404 at all
    ("customerio==1.4", False),
    ("customerio>=2", False),  # 2 or 3: an unknown version, so nothing is reported and nothing fixed
    ("customerio @ git+https://example.com/customerio", False),  # unknown version: the same
    ("customerio==3.2.0", True),  # 3.x: reported, and the unsafe run fixes it (checked above)
])
def test_no_cio404_fix_unless_the_project_is_on_customerio_3(tmp_path, pin, finding):
    source = "from customerio import CustomerIO\ncio = CustomerIO(S, K)\ncio.track('1', 'paid', plan='pro')\n"
    (tmp_path / "requirements.txt").write_text(pin + "\n")
    (tmp_path / "billing.py").write_text(source)
    result = fix_source(source, str(tmp_path / "billing.py"), Options(), unsafe=True)
    assert (result.source != source) is finding
    assert [f.code for f in result.applied] == (["CIO404"] if finding else [])


def test_a_form_feed_does_not_shift_lines():
    """str.splitlines breaks at a form feed; Python's line numbers (and the edits placed by them) do not."""
    source = "import time\n\x0c\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n" \
             "cio.identify('1', at=time.time() * 1000)  # noqa: CIO999\n"
    assert fix_source(source, "a.py", Options()).source == source.replace("time.time() * 1000", "time.time()")


def test_no_fix_on_arguments_a_wrapper_forwards(tmp_path):
    """The call found is the wrapper's (`send(...)`), not the SDK's: no fix may edit it by the SDK's signature."""
    source = ("import time\nfrom customerio import CustomerIO\ncio = CustomerIO(S, K)\n\n\n"
              "def send(uid, name, when):\n    cio.track(uid, name, timestamp=when)\n\n\n"
              "def viewed(user, product):\n    send(user.id, f'viewed_{product.id}', int(time.time() * 1000))\n")
    path = tmp_path / "app.py"  # a file of a project: wrappers are resolved through the project model
    path.write_text(source)
    findings = {f.code: f.fix for f in check_source(source, str(path))}
    assert findings == {"CIO201": None, "CIO101": None}
    assert fix_source(source, str(path), Options(), unsafe=True).source == source


def test_no_runtime_client_for_2x_style_track_calls(tmp_path):
    """The runtime client has 3.x's track(customer_id, name, data=...): on a 2.x project a call with data as
    keywords keeps the official client; on 3.x, CIO404 moves the data first and the call goes non-blocking next."""
    source = ("from customerio import CustomerIO\nfrom flask import Flask\napp = Flask(__name__)\n"
              "cio = CustomerIO(S, K)\n\n\n@app.post('/signup')\ndef signup():\n"
              "    cio.track('1', 'signed_up', plan='pro')\n")
    fixed = {}
    for pin in ("2.4", "3.2.0"):
        project = tmp_path / pin
        project.mkdir()
        (project / "requirements.txt").write_text(f"customerio=={pin}\n")
        (project / "views.py").write_text(source)
        fixed[pin] = fix_source(source, str(project / "views.py"), Options()).source
    assert fixed["2.4"] == source
    assert "nonblocking(cio).track('1', 'signed_up', data={\"plan\": 'pro'})" in fixed["3.2.0"]


@pytest.mark.parametrize("name, fixed", [
    ("café_visited", "cafe_visited"), ("Ünïcode", "unicode"), ("ÀlaCarteOrdered", "ala_carte_ordered"),
    ("straße_seen", None), ("注文_completed", None),  # no ASCII form: reported, never fixed, no letter dropped
])
def test_cio202_transliterates_non_ascii_names_or_leaves_them(name, fixed):
    source = f'from customerio import CustomerIO\ncio = CustomerIO("s", "k")\ncio.track("1", "{name}")\n'
    result = fix_source(source, "app.py", Options(), unsafe=True)
    (finding,) = check_source(source, "app.py")
    assert finding.code == "CIO202"
    if fixed is None:
        assert result.source == source and not finding.fix and "rename it by hand" in finding.message
    else:
        assert result.source == source.replace(name, fixed) and f"use {fixed!r}" in finding.message


LAYOUT = """from customerio import CustomerIO
from flask import Flask

app = Flask(__name__)
cio = CustomerIO("s", "k")


@app.route("/signup", methods=["POST"])
def signup(user):
    cio.track(
        user.id,
        "signed_up",
        plan=user.plan,
        referrer=user.referrer_code,
    )
    cio.identify(user.id, email=user.email, plan=user.plan, country=user.country_code_of_the_first_visit)
    return "", 204
"""


def test_a_call_written_one_argument_per_line_keeps_that_and_long_lines_are_split():
    result = fix_source(LAYOUT, "app.py", Options(), unsafe=True)
    assert {f.code for f in result.applied} == {"CIO404", "CIO501"}
    assert result.source.split("def signup(user):\n")[1] == """\
    nonblocking(cio).track(
        user.id,
        "signed_up",
        data={
            "plan": user.plan,
            "referrer": user.referrer_code,
        },
    )
    nonblocking(cio).identify(
        user.id, email=user.email, plan=user.plan, country=user.country_code_of_the_first_visit
    )
    return "", 204
"""


def test_the_configured_max_line_length_is_the_limit_when_it_is_more():
    result = fix_source(LAYOUT, "app.py", Options(), unsafe=True, max_line_length=120)
    assert "    nonblocking(cio).identify(user.id, email=user.email, plan=user.plan, " \
           "country=user.country_code_of_the_first_visit)\n" in result.source


def test_a_call_around_a_growing_edit_is_split_or_the_fix_is_not_made():
    line = 'cio.track("1", "SignedUp", data={"plan": "pro", "referrer": "the landing page"})  # the longest'
    source = 'from customerio import CustomerIO\ncio = CustomerIO("s", "k")\n' + line + "\n"
    assert len(line) > 79
    split = fix_source(source, "app.py", Options(), unsafe=True).source
    assert split.endswith('cio.track(\n    "1", "signed_up", data={"plan": "pro", "referrer": "the landing page"}\n'
                          ')  # the longest\n')
    one_per_line = source.replace(line, 'cio.track(\n    "1",\n    "SignedUpForTheNewsletterOfTheMonth' + "x" * 70
                                  + '",\n)')
    assert fix_source(one_per_line, "app.py", Options(), unsafe=True).source == one_per_line  # nothing left to split
    assert fix_source(one_per_line, "app.py", Options(), unsafe=True, max_line_length=120).applied  # 120 fits


def test_a_name_looked_up_in_another_modules_dict_is_reported_but_never_rewritten_at_its_use(tmp_path):
    """``EVENTS["signup"]`` holds another module's text: the fix would belong to that dict, so the use keeps
    its look-up; a dict of this module is fixed where the text is written."""
    project = Path(__file__).parent / "projects" / "keyed_constants"
    source = (project / "app" / "tracking.py").read_text()
    result = fix_source(source, str(project / "app" / "tracking.py"), Options(), unsafe=True)
    assert 'cio.track(user_id, EVENTS["signup"])' in result.source
    assert 'LOCAL = {"viewed": "item_viewed"' in result.source
    assert [f.code for f in result.applied] == ["CIO202"]


def test_an_added_import_goes_where_isort_puts_it_in_a_project_with_first_party_packages(tmp_path):
    """isort puts the project's own packages (folders in its root) in a block of their own after the third-party
    one: flake8_cio.runtime, installed, goes above the project's imports, not among them (isort --check failed)."""
    (tmp_path / "pyproject.toml").write_text('[tool.isort]\nprofile = "black"\n')
    (tmp_path / "requirements.txt").write_text("customerio==3.2.0\nflake8-cio==0.1.0\n")
    shop = tmp_path / "shop"
    (shop / "jobs").mkdir(parents=True)
    (shop / "__init__.py").write_text("")
    (shop / "jobs" / "__init__.py").write_text("")
    (shop / "crm.py").write_text("from customerio import CustomerIO\n\n\ndef get_crm():\n"
                                 "    return CustomerIO('', '')\n")
    (shop / "jobs" / "backfill.py").write_text(
        '"""Nightly."""\nimport time\n\nfrom shop.crm import get_crm\n\n\ndef sync(users):\n    crm = get_crm()\n'
        "    for user in users:\n        crm.identify(user.id, plan=user.plan, at=int(time.time()))\n")
    assert subprocess.run([sys.executable, "-m", "isort", "--check", "."], cwd=tmp_path).returncode == 0
    fixed = subprocess.run([sys.executable, "-m", "flake8_cio", "fix", "--unsafe-fixes", "."], cwd=tmp_path,
                           capture_output=True, text=True)  # unsafe: a script's failures no longer raise
    assert "fixes: CIO601x1" in fixed.stderr, fixed.stderr
    assert "from flake8_cio.runtime import nonblocking\n\nfrom shop.crm import get_crm\n" in \
        (shop / "jobs" / "backfill.py").read_text()
    isort = subprocess.run([sys.executable, "-m", "isort", "--check", "--diff", "."], cwd=tmp_path,
                           capture_output=True, text=True)
    assert isort.returncode == 0, isort.stdout + isort.stderr
