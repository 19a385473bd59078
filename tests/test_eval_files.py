"""Eval files: real-looking code with the expected codes in `# expect:` comments; every other line must be silent."""
import re
from pathlib import Path

import pytest

from flake8_cio.engine import check_source

EVAL_DIR = Path(__file__).parent / "eval_files"
EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>CIO\d{3}(?:\s*,\s*CIO\d{3})*)")


def expected(source: str) -> list[tuple[int, str]]:
    return sorted(
        (number, code.strip())
        for number, line in enumerate(source.splitlines(), 1)
        if (match := EXPECT.search(line))
        for code in match.group("codes").split(",")
    )


@pytest.mark.parametrize("path", sorted(EVAL_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(EVAL_DIR)))
def test_eval_file(path):
    source = path.read_text()
    found = [(f.line, f.code) for f in check_source(source, str(path.relative_to(EVAL_DIR)))]
    wanted = expected(source)
    assert {"unexpected": sorted(set(found) - set(wanted)), "missing": sorted(set(wanted) - set(found))} == \
        {"unexpected": [], "missing": []}
    assert sorted(found) == wanted
