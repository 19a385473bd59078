"""TOML for the linter and its fixer (pyproject.toml, the catalog): the standard library's parser, or tomli before
3.11, imported on the first parse, so that a run parsing no TOML never loads one (9 M instructions of every flake8
run, most of whose pyproject.toml files never mention it). Imports nothing of ours."""
from __future__ import annotations

import sys
from typing import Any


def loads(text: str) -> dict[str, Any]:
    """The document; ``ValueError`` (the parser's ``TOMLDecodeError``) when the text is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the same parser, as a package, before 3.11
        import tomli as tomllib
    return tomllib.loads(text)
