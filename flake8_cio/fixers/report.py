"""Reports for CI: the review checklist in Markdown (pull-request comment, $GITHUB_STEP_SUMMARY), SARIF 2.1.0
(GitHub code scanning) and GitHub workflow-command annotations. Also the flake8 formatter `cio-sarif`."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePath

from flake8_cio import __version__
from flake8_cio.docs import rule_body, rule_url
from flake8_cio.engine import all_rules
from flake8_cio.types import Rule

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


def markdown(items: list[Item]) -> str:
    rules = all_rules()
    by_code: dict[str, list[Item]] = {}
    for item in items:
        by_code.setdefault(item.code, []).append(item)
    lines = ["## Customer.io review checklist (flake8-cio)", ""]
    if not items:
        lines += ["No Customer.io findings.", ""]
    for code, rule in rules.items():
        found = by_code.get(code, [])
        lines.append(f"- [{' ' if found else 'x'}] **{code}** {rule.name}: {rule.summary}")
        for item in found:
            lines.append(f"  - `{item.path}:{item.line}` {item.message} _({FIX_WORDS[item.fix]})_")
    fixable = sum(1 for i in items if i.fix)
    lines += ["", f"{len(items)} findings, {fixable} fixable by `cio-fix`."]
    return "\n".join(lines) + "\n"


def github(items: list[Item]) -> str:
    rules = all_rules()
    out = []
    for item in items:
        title = f"{item.code} {rules[item.code].name}" if item.code in rules else item.code
        message = item.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.append(f"::warning file={item.path},line={item.line},col={item.column},endLine={item.end_line},"
                   f"endColumn={item.end_column},title={title}::{message}")
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


def sarif(items: list[Item], tool_rules: dict[str, Rule] | None = None) -> str:
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
            "artifactLocation": {"uri": PurePath(item.path).as_posix().removeprefix("./"), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": item.line, "startColumn": item.column,
                       "endLine": max(item.end_line, item.line), "endColumn": max(item.end_column, 1)},
        }}],
        **({"properties": {"fix": item.fix}} if item.fix else {}),
    } for item in items]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "flake8-cio", "version": __version__,
                                "informationUri": "https://pypi.org/project/flake8-cio/", "rules": descriptors}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2) + "\n"


REPORTS = {"markdown": markdown, "sarif": sarif, "github": github}


try:
    from flake8.formatting.base import BaseFormatter
except ImportError:  # pragma: no cover - flake8 is a dependency; kept importable without it
    BaseFormatter = object


class SarifFormatter(BaseFormatter):
    """`flake8 --format=cio-sarif`: the whole run as one SARIF log."""

    def after_init(self) -> None:
        self.items: list[Item] = []

    def handle(self, error) -> None:
        self.items.append(Item(error.filename, error.line_number, error.column_number or 1, error.line_number,
                               (error.column_number or 1) + 1, error.code, error.text, None))

    def stop(self) -> None:
        self._write(sarif(self.items).rstrip("\n"))
        super().stop()

    def format(self, error):  # handle() collects instead
        return None
