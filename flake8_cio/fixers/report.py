"""Reports for CI: the review checklist in Markdown (pull-request comment, $GITHUB_STEP_SUMMARY), SARIF 2.1.0
(GitHub code scanning) and GitHub workflow-command annotations. Also the log of flake8's formatter `cio-sarif`."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flake8_cio import __version__
from flake8_cio.docs import rule_body, rule_url
from flake8_cio.engine import all_rules
from flake8_cio.rule import Rule

FIX_WORDS = {"safe": "cio-fix can fix it", "unsafe": "cio-fix --unsafe-fixes can fix it", None: "no automatic fix"}


@dataclass(frozen=True)
class Item:
    """One finding in a report: where, what, and what cio-fix can do about it."""

    path: str
    line: int
    column: int  # 1-based
    end_line: int
    end_column: int  # 1-based
    code: str
    message: str
    fix: str | None  # "safe", "unsafe" or None


@lru_cache(maxsize=None)
def _root(cwd: str) -> str:
    """The git top level of the current folder (where code scanning resolves %SRCROOT%), else the folder itself."""
    try:
        found = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True)
    except OSError:  # no git
        return cwd
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else cwd


def repo_path(path: str) -> str:
    """A file's path relative to the repository root, with forward slashes: what SARIF, annotations and the
    checklist need whatever folder the tool ran from. Paths outside the repository stay absolute."""
    cwd = os.getcwd()
    # real folders on both sides (git reports the real top level), the file itself as named: a symlink in the
    # repository stays where it is
    absolute = Path(os.path.realpath(os.path.join(cwd, os.path.dirname(path))), os.path.basename(path))
    root = Path(os.path.realpath(_root(cwd)))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def markdown(items: list[Item], not_run: dict[str, str] | None = None, skipped: list[tuple[str, str]] = (),
             old: list[Item] = (), since: str | None = None) -> str:
    """The checklist: a rule is ticked only when it ran and found nothing; ``not_run`` maps codes to why they did
    not run, ``skipped`` lists (path, reason) of files that could not be checked. With ``since`` (a git revision),
    ``items`` are the new findings and ``old`` those already there at it: listed after, folded, and counted."""
    not_run = not_run or {}
    by_code: dict[str, list[Item]] = {}
    for item in items:
        by_code.setdefault(item.code, []).append(item)
    lines = ["## Customer.io review checklist (flake8-cio)", ""]
    if since:
        lines += [f"Findings new since `{since}`: a ticked rule has none; older ones are counted at the end.", ""]
    if not items and not skipped:
        lines += ["No Customer.io findings.", ""]
    for code, rule in all_rules().items():
        found = by_code.get(code, [])
        tick = " " if found or code in not_run else "x"
        why = f" _(not checked: {not_run[code]})_" if code in not_run else ""
        lines.append(f"- [{tick}] **{code}** {rule.name}: {rule.summary}{why}")
        for item in found:
            lines.append(f"  - `{item.path}:{item.line}` {item.message} _({FIX_WORDS[item.fix]})_")
    if skipped:
        lines += ["", f"Files not checked ({len(skipped)}):", ""]
        lines += [f"- `{path}`: {reason}" for path, reason in skipped]
    fixable = sum(1 for i in items if i.fix)
    new = " new" if since else ""
    lines += ["", f"{len(items)}{new} findings, {fixable} fixable by `cio-fix`."]
    if since:
        lines += ["", f"<details><summary>{len(old)} older findings remain (already there at `{since}`)"
                  "</summary>", ""]
        lines += [f"- `{i.path}:{i.line}` **{i.code}** {i.message} _({FIX_WORDS[i.fix]})_" for i in old]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _escape(text: str, property: bool = False) -> str:
    """GitHub workflow-command escaping: data escapes % CR LF; property values also : and ,."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property else text


def github(items: list[Item], not_run: dict[str, str] | None = None, skipped: list[tuple[str, str]] = ()) -> str:
    rules = all_rules()
    out = []
    for item in items:
        title = f"{item.code} {rules[item.code].name}" if item.code in rules else item.code
        out.append(f"::warning file={_escape(item.path, True)},line={item.line},col={item.column},"
                   f"endLine={item.end_line},endColumn={item.end_column},title={_escape(title, True)}::"
                   f"{_escape(item.message)}")
    for path, reason in skipped:
        out.append(f"::error file={_escape(path, True)},title=flake8-cio::{_escape('not checked: ' + reason)}")
    return "\n".join(out) + ("\n" if out else "")


def _sarif_rule(rule: Rule) -> dict:
    help_markdown = rule_body(rule)  # the rule's rules.md section, from the docs in the package
    help_text = re.sub(r"```python\n|```|\*\*", "", help_markdown)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": help_text, "markdown": help_markdown},
        "helpUri": rule_url(rule),
        "defaultConfiguration": {"level": "warning"},
        "properties": {"fix": rule.fix, "tags": ["customer.io"]},
    }


def _fingerprints(items: list[Item]) -> list[str]:
    """Stable across edits that move lines: the rule, the file and the message (which names the value at fault),
    plus how many identical ones came before, as GitHub's own primaryLocationLineHash counts repeats."""
    seen: Counter = Counter()
    prints = []
    for item in items:
        digest = hashlib.sha256(f"{item.code}\0{item.path}\0{item.message}".encode()).hexdigest()[:32]
        prints.append(f"{digest}:{seen[digest] + 1}")
        seen[digest] += 1
    return prints


def sarif(items: list[Item], not_run: dict[str, str] | None = None, skipped: list[tuple[str, str]] = (),
          tool_rules: dict[str, Rule] | None = None) -> str:
    rules = dict(tool_rules or all_rules())
    descriptors = [_sarif_rule(rule) for rule in rules.values()]
    index = {rule.code: i for i, rule in enumerate(rules.values())}
    for item in items:  # codes of other flake8 plugins, when used as a flake8 formatter
        if item.code not in index:
            index[item.code] = len(descriptors)
            descriptors.append({"id": item.code, "shortDescription": {"text": item.code}})
    results = [{
        "ruleId": item.code,
        "ruleIndex": index[item.code],
        "level": "warning",
        "message": {"text": item.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": item.path, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": item.line, "startColumn": item.column,
                       "endLine": max(item.end_line, item.line), "endColumn": max(item.end_column, 1)},
        }}],
        "partialFingerprints": {"flake8-cio/v1": fingerprint},
        **({"properties": {"fix": item.fix}} if item.fix else {}),
    } for item, fingerprint in zip(items, _fingerprints(items))]
    notifications = [{"level": "error", "message": {"text": f"not checked: {reason}"}, "locations": [
                      {"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}}}]}
                     for path, reason in skipped]
    not_checked = [{"level": "note", "descriptor": {"id": code}, "message": {"text": f"not checked: {why}"}}
                   for code, why in (not_run or {}).items()]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "flake8-cio", "version": __version__,
                                "informationUri": "https://pypi.org/project/flake8-cio/", "rules": descriptors}},
            "invocations": [{"executionSuccessful": not skipped, "toolExecutionNotifications": notifications,
                             "toolConfigurationNotifications": not_checked}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


def json_report(items: list[Item], not_run: dict[str, str] | None = None, skipped: list[tuple[str, str]] = ()) -> str:
    """ruff's ``--output-format json``: a list with one object per finding (files not checked are not findings:
    the exit code and stderr say so). ``filename`` is relative to the repository root, as in the other reports;
    ``fix`` carries the applicability and no edits (a report changes nothing: `cio-fix --diff` shows them)."""
    rules = all_rules()
    return json.dumps([{
        "cell": None,
        "code": item.code,
        "message": item.message,
        "filename": item.path,
        "location": {"row": item.line, "column": item.column},
        "end_location": {"row": max(item.end_line, item.line), "column": item.end_column},
        "fix": {"applicability": item.fix, "message": FIX_WORDS[item.fix]} if item.fix else None,
        "noqa_row": item.line,
        "url": rule_url(rules[item.code]) if item.code in rules else None,
    } for item in items], indent=2) + "\n"


REPORTS = {"markdown": markdown, "sarif": sarif, "github": github, "json": json_report}


def flake8_sarif(violations: list) -> str:
    """The SARIF log of a flake8 run's violations: what the ``cio-sarif`` formatter (``flake8_cio.formatter``)
    writes."""
    return sarif([Item(repo_path(v.filename), v.line_number, v.column_number or 1, v.line_number,
                       (v.column_number or 1) + 1, v.code, v.text, None) for v in violations])
