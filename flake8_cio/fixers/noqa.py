"""``cio-fix --add-noqa``: a baseline for legacy code, as ruff's ``--add-noqa``. Each current finding gets
``# noqa: CODE`` on the line flake8 reports it on; nothing else changes (an existing comment stays, an existing
``# noqa: X`` gets the code added to its list). A line that cannot end in a comment (inside a multi-line string,
before a backslash continuation) is left, and its findings stay findings."""
from __future__ import annotations

import io
import re
import tokenize

# flake8's reading of a noqa comment (flake8/defaults.py NOQA_INLINE_REGEX): its codes are what we extend
NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)


def comment_lines(source: str) -> dict[int, tuple[int, str] | None]:
    """The lines a comment can end: line -> (column, text) of the comment already there, or None."""
    lines: dict[int, tuple[int, str] | None] = {}
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = (token.start[1], token.string)
        elif token.type in (tokenize.NEWLINE, tokenize.NL):
            lines[token.start[0]] = comments.get(token.start[0])
    return lines


def with_codes(line: str, comment: tuple[int, str] | None, codes: list[str]) -> str:
    """The line (without its line ending) silencing ``codes`` too."""
    listed = ",".join(codes)
    if comment is not None:
        column, text = comment
        match = NOQA.search(text)
        if match and match.group("codes"):
            at = column + match.end("codes")
            return f"{line[:at]},{listed}{line[at:]}"
    return f"{line.rstrip()}  # noqa: {listed}"


def add_noqa(source: str, findings: list) -> tuple[str, list, list]:
    """(new source, the findings now silenced, those that could not be); raises SyntaxError for source that does not
    tokenize."""
    placeable = comment_lines(source)
    codes_by_line: dict[int, list[str]] = {}
    done, left = [], []
    for finding in findings:
        if finding.line in placeable:
            codes = codes_by_line.setdefault(finding.line, [])
            codes += [] if finding.code in codes else [finding.code]
            done.append(finding)
        else:
            left.append(finding)
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n|$)", source)  # line endings as Python's (a form feed is no end)
    for number, codes in codes_by_line.items():
        text = lines[number - 1]
        body = text.rstrip("\r\n")
        lines[number - 1] = with_codes(body, placeable[number], sorted(codes)) + text[len(body):]
    return "".join(lines), done, left
