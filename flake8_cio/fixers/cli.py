"""cio-fix: apply flake8-cio's fixes to files.

Exit codes: with --check or --diff, 1 when some file would change, else 0 (as `black --check`); a plain run
exits 1 when findings remain after fixing (or, with --exit-non-zero-on-fix, when it changed a file), else 0;
2 for usage errors and for files it could not read, parse or write (the other files are still fixed).
"""
from __future__ import annotations

import argparse
import difflib
import fnmatch
import os
import sys
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from flake8_cio.docs import find_rule, rule_page
from flake8_cio.engine import all_rules, might_use_customerio
from flake8_cio.options import OPTION_SPECS, Options, OptionError, flag, read_config

from .report import REPORTS, Item
from .transform import fix_source

DEFAULT_EXCLUDES = (".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
                    "build", "dist", ".eggs", "*.egg-info", ".mypy_cache", ".pytest_cache", ".ruff_cache")


class UsageError(Exception):
    pass


@dataclass
class FileResult:
    path: str
    changed: bool = False
    diff: str = ""
    applied: list = field(default_factory=list)  # codes
    remaining: list = field(default_factory=list)  # Findings left (all findings, in a report)
    error: str | None = None


def iter_files(paths: list[str], excludes: list[str]) -> list[Path]:
    files = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if path.is_file():
            files.append(path)
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not _excluded(d, Path(root) / d, excludes))
            files.extend(Path(root) / n for n in sorted(names)
                         if n.endswith(".py") and not _excluded(n, Path(root) / n, excludes))
    return files


def _excluded(name: str, path: Path, excludes: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(str(path), pattern) for pattern in excludes)


def process(path: Path, options: Options, unsafe: bool, select, ignore, write: bool, want_diff: bool,
            report: bool = False) -> FileResult:
    result = FileResult(str(path))
    try:
        data = path.read_bytes()
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        result.error = "not UTF-8, skipped"
        return result
    except OSError as error:
        result.error = f"cannot read: {error.strerror}"
        return result
    if not might_use_customerio(source, options):  # no libcst parse for files that cannot have a finding
        return result
    try:
        fixed = fix_source(source, str(path), options, unsafe=unsafe, select=select, ignore=ignore, apply=not report)
    except SyntaxError as error:
        result.error = f"syntax error at line {error.lineno}: {error.msg}, skipped"
        return result
    except Exception as error:  # libcst may reject what ast accepts; never lose the other files to one
        result.error = f"could not be fixed ({type(error).__name__}: {error}), skipped"
        return result
    result.applied = [f.code for f in fixed.applied]
    result.remaining = fixed.remaining
    result.changed = fixed.source != source
    if result.changed and want_diff:
        result.diff = "".join(difflib.unified_diff(source.splitlines(True), fixed.source.splitlines(True),
                                                   f"a/{path}", f"b/{path}"))
    if result.changed and write:
        try:
            _write_atomically(path, fixed.source)
        except OSError as error:
            result.error = f"cannot write: {error.strerror}, left unchanged"
            result.changed = False
    return result


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside it and rename: a failure never leaves a half-written file."""
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".cio-fix")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _codes(raw: str | None, rules: dict) -> frozenset[str] | None:
    if raw is None:
        return None
    codes = frozenset(c.strip().upper() for c in raw.split(",") if c.strip())
    for code in codes:
        if not any(rule.startswith(code) for rule in rules):
            raise UsageError(f"unknown rule code {code!r}; codes are {', '.join(sorted(rules))}")
    return codes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cio-fix", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    parser.add_argument("--diff", action="store_true", help="print a unified diff, change nothing")
    parser.add_argument("--check", action="store_true", help="exit 1 if anything would change, change nothing")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that change what data is sent")
    parser.add_argument("--select", help="only these codes or prefixes (comma-separated)")
    parser.add_argument("--ignore", help="not these codes or prefixes (comma-separated)")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="parallel processes (default: cores)")
    parser.add_argument("--exclude", action="append", default=[], help="glob of paths to skip (repeatable)")
    parser.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when a file was changed")
    parser.add_argument("--fix-only", action="store_true",
                        help="apply fixes; do not report or fail on findings left (with --exit-non-zero-on-fix: pre-commit)")
    parser.add_argument("--report", choices=sorted(REPORTS),
                        help="change nothing; write the review checklist (markdown), SARIF 2.1.0 or GitHub annotations")
    parser.add_argument("--output", "-o", help="write the report to this file instead of stdout")
    parser.add_argument("--quiet", "-q", action="store_true", help="no per-finding lines, only the summary")
    parser.add_argument("--explain", metavar="CODE", help="print a rule's documentation (markdown) and exit, as `ruff rule`")
    for name in OPTION_SPECS:
        parser.add_argument(f"--{flag(name)}", dest=name, default=None, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.explain is not None:
        return _explain(args.explain)
    try:
        rules = all_rules()
        select, ignore = _codes(args.select, rules), _codes(args.ignore, rules) or frozenset()
        values = read_config(Path.cwd())
        values.update({name: getattr(args, name) for name in OPTION_SPECS if getattr(args, name) is not None})
        options = Options.from_values(**values)
        if args.jobs < 1:
            raise UsageError("--jobs must be at least 1")
        files = iter_files(args.paths, list(DEFAULT_EXCLUDES) + args.exclude)
    except (UsageError, OptionError) as error:
        print(f"cio-fix: error: {error}", file=sys.stderr)
        return 2
    dry = args.check or args.diff or args.report
    work = [(path, options, args.unsafe_fixes, select, ignore, not dry, args.diff, bool(args.report)) for path in files]
    results = _run(work, args.jobs)
    if args.report:
        return _write_report(results, args)
    return _report(results, args, len(files))


def _explain(key: str) -> int:
    rule = find_rule(key)
    if rule is None:
        print(f"cio-fix: error: unknown rule {key!r}; codes are {', '.join(sorted(all_rules()))}", file=sys.stderr)
        return 2
    sys.stdout.write(rule_page(rule))
    return 0


def _write_report(results: list[FileResult], args) -> int:
    """A report of the findings as they are (nothing fixed): exit 1 when there are any, 2 on file errors."""
    items = [Item(r.path, f.line, f.col + 1, f.end_line, f.end_col + 1, f.code, f.message, f.safety if f.fix else None)
             for r in results for f in r.remaining]
    text = REPORTS[args.report](items)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    for r in results:
        if r.error:
            print(f"cio-fix: {r.path}: {r.error}", file=sys.stderr)
    return 2 if any(r.error for r in results) else 1 if items else 0


def _run(work: list[tuple], jobs: int) -> list[FileResult]:
    progress = sys.stderr.isatty() and len(work) > 50
    results = []
    if jobs == 1 or len(work) < 8:
        iterator = (process(*item) for item in work)
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=jobs)
        iterator = pool.map(_process_packed, work, chunksize=max(1, len(work) // (jobs * 8)))
    try:
        for done, result in enumerate(iterator, 1):
            results.append(result)
            if progress:
                print(f"\rcio-fix: {done}/{len(work)} files", end="", file=sys.stderr, flush=True)
    finally:
        if pool is not None:
            pool.shutdown()
    if progress:
        print(file=sys.stderr)
    return results


def _process_packed(item: tuple) -> FileResult:
    return process(*item)


def _report(results: list[FileResult], args, scanned: int) -> int:
    applied = Counter(code for r in results for code in r.applied)
    errors = [r for r in results if r.error]
    changed = [r for r in results if r.changed]
    left = [] if args.fix_only else [(r.path, f) for r in results for f in r.remaining]
    for r in results:
        if r.diff:
            sys.stdout.write(r.diff)
    if not args.quiet and not args.diff:
        for path, f in left:
            hint = " [unsafe fix: --unsafe-fixes]" if f.fix and f.safety == "unsafe" else ""
            print(f"{path}:{f.line}:{f.col + 1}: {f.text}{hint}")
    for r in errors:
        print(f"cio-fix: {r.path}: {r.error}", file=sys.stderr)
    verb = "would change" if args.check or args.diff else "changed"
    fixes = ", ".join(f"{code}x{count}" for code, count in sorted(applied.items())) or "none"
    print(f"cio-fix: {scanned} files scanned, {len(changed)} {verb}; fixes: {fixes}; "
          f"{len(left)} findings left", file=sys.stderr)
    if errors:
        return 2
    if args.check or args.diff:
        return 1 if changed else 0
    return 1 if left or (args.exit_non_zero_on_fix and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
