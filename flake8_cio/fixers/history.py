"""New code only: which findings a file has that it did not have at a git revision (``flake8 --cio-new-since REF``,
``cio-fix --report ... --new-since REF``), as semgrep's ``--baseline-commit`` and SonarQube's new code.

A finding is matched to the revision's by fingerprint, not by line: its code and message (with the line numbers a
message may quote taken out), counted, so a finding that only moved is old, and a second copy of an old one is
new. Imports neither libcst nor flake8."""
from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from typing import Iterable, TypeVar

from .sources import decode

T = TypeVar("T")


class RevisionError(ValueError):
    """A revision git cannot read, or no git repository: the message says which."""


def _git(folder: str, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=folder or ".", capture_output=True)
    except OSError as error:
        raise RevisionError(f"git is needed to compare with a revision: {error.strerror}") from None


def check_revision(ref: str, folder: str = ".") -> None:
    """Raise RevisionError unless ``ref`` names a commit of the repository ``folder`` is in."""
    found = _git(folder, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        where = _git(folder, "rev-parse", "--show-toplevel")
        raise RevisionError(f"{ref!r} is not a commit of the git repository here" if where.returncode == 0 else
                            f"{os.path.abspath(folder)} is not in a git repository: no {ref!r} to compare with")


def source_at(path: str, ref: str) -> str | None:
    """The file's text at the revision; None when it did not exist there (all its findings are new)."""
    folder, name = os.path.split(os.path.abspath(path))
    found = _git(folder, "show", f"{ref}:./{name}")
    if found.returncode != 0:
        return None
    try:
        return decode(found.stdout)[0]
    except ValueError:  # unreadable then: everything in it is new
        return None


def fingerprint(code: str, message: str) -> str:
    """What identifies a finding across edits: its code and message, without the line numbers the message quotes
    (``computed at line 12``, ``analytics.py:8``), which move with unrelated edits."""
    return code + " " + re.sub(r"(line |[.]py:)[0-9]+", r"\1#", message)


def split_new(findings: Iterable[T], old: Iterable,
              key=lambda f: fingerprint(f.code, f.message)) -> tuple[list[T], list[T]]:
    """(new, old): each of the revision's findings accounts for one current finding with its fingerprint."""
    budget = Counter(key(f) for f in old)
    new, kept = [], []
    for finding in findings:
        if budget[key(finding)] > 0:
            budget[key(finding)] -= 1
            kept.append(finding)
        else:
            new.append(finding)
    return new, kept
