"""The `# expect:` comment format shared by eval files and fixture projects.

    cio.track(uid, "x", timestamp=ms)  # expect: CIO101
    track_signup(user)  # expect: CIO501@5 "calls shop.services.analytics.track_signup", CIO601

Each item is a code, optionally `@column` (1-based, as flake8 prints it) and a quoted text the message must
contain. A file may start with `# options: name=value, ...` (Options fields, as in setup.cfg). Every line
without an expectation must stay silent; ` -- text` after the items is a note for the reader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flake8_cio.engine import check_source
from flake8_cio.options import Options

EXPECT = re.compile(r"#\s*expect:\s*(?P<items>CIO\d{3}.*?)\s*(?:--.*)?$")  # `-- why` may follow
ITEM = re.compile(r'\s*(?P<code>CIO\d{3})(?:@(?P<col>\d+))?(?:\s+"(?P<text>[^"]*)")?\s*(?:,|$)')
OPTIONS = re.compile(r"^#\s*options:\s*(?P<pairs>.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Expected:
    line: int
    code: str
    col: int | None = None
    text: str | None = None


def expectations(source: str) -> list[Expected]:
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        match = EXPECT.search(line)
        if not match:
            continue
        items = match.group("items")
        position = 0
        while position < len(items):
            item = ITEM.match(items, position)
            if item is None or item.end() == position:
                raise ValueError(f"line {number}: cannot read expectation {items[position:]!r}")
            col = item.group("col")
            found.append(Expected(number, item.group("code"), int(col) if col else None, item.group("text")))
            position = item.end()
    return found


def file_options(source: str, **extra) -> Options:
    match = OPTIONS.search(source)
    values = dict(pair.split("=", 1) for pair in match.group("pairs").split(";")) if match else {}
    return Options.from_values(**{k.strip(): v.strip() for k, v in values.items()}, **extra)


def compare(path: Path, filename: str, **extra_options) -> dict:
    """Unexpected and missing findings of one file: both empty when the file's expectations hold."""
    source = path.read_text("utf-8")
    found = check_source(source, filename, file_options(source, **extra_options))
    wanted = expectations(source)
    actual = {(f.line, f.code) for f in found}
    problems = {"unexpected": sorted(actual - {(e.line, e.code) for e in wanted}),
                "missing": sorted({(e.line, e.code) for e in wanted} - actual), "wrong": []}
    for expected in wanted:
        for finding in (f for f in found if (f.line, f.code) == (expected.line, expected.code)):
            if expected.col is not None and finding.col + 1 != expected.col or \
                    expected.text is not None and expected.text not in finding.message:
                problems["wrong"].append((expected, finding.col + 1, finding.message))
    return problems


NO_PROBLEMS = {"unexpected": [], "missing": [], "wrong": []}
