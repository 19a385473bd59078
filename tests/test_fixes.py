"""cio-fix before/after pairs: exact output, idempotent, still compiles, and the fixed codes are gone."""
from pathlib import Path

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
    again = fix_source(result.source, before.name, Options(), unsafe=unsafe)
    assert again.source == result.source and again.applied == []
    fixed_codes = {f.code for f in result.applied}
    left = {(f.code, f.line) for f in check_source(result.source, before.name) if f.code in fixed_codes and f.fix
            and (f.safety == "safe" or unsafe)}
    assert left == set()


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
