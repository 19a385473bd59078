"""cio-fix: apply flake8-cio's fixes to files.

Exit codes: with --check or --diff, 1 when some file would change, else 0 (as `black --check`); a plain run
exits 1 when findings remain after fixing (or, with --exit-non-zero-on-fix, when it changed a file), else 0;
--exit-zero makes both 0; 2 for usage errors and for files it could not read, parse or write (the other files
are still fixed).
"""
from __future__ import annotations

import argparse
import difflib
import logging
import os
import sys
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from flake8_cio import __version__
from flake8_cio.catalog import CatalogError, find_checked
from flake8_cio.docs import find_rule, rule_page
from flake8_cio.engine import all_rules, worth_checking
from flake8_cio.options import (CODE_KEYS, FIX_OPTIONS, OPTION_SPECS, Options, OptionError, check_codes, flag,
                                load_config, option_values, split_list, unknown_code)

from .console import Parser
from .console import run as run_console
from .dependencies import forget_declarations
from .doubles import forget_doubles
from .gates import runtime_gate
from .history import RevisionError, check_revision, source_at, split_new
from .noqa import add_noqa
from .report import REPORTS, Item, repo_path
from .sources import DEFAULT_EXCLUDES, decode

LOG = logging.getLogger(__name__)


class UsageError(Exception):
    pass


def require(*modules: str) -> None:
    """flake8 and libcst come with the `lint` extra: a runtime-only install says what to install, no traceback."""
    missing = [name for name in modules if find_spec(name) is None]
    if missing:
        raise UsageError(f"needs {' and '.join(missing)}, which this install of flake8-cio (the runtime client "
                         "only) lacks: python3 -m pip install 'flake8-cio[lint]'")


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs to fix one file: the engine's options and which fixes apply where."""

    options: Options
    select: frozenset[str] | None
    ignore: frozenset[str]
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...]  # (flake8 pattern, codes)
    unfixable: frozenset[str] = frozenset()
    extend_unsafe: frozenset[str] = frozenset()  # extend-unsafe-fixes
    unsafe: bool = False
    write: bool = True
    dry: bool = False  # --check, --diff: nothing is written, findings left are placed in the file as it is
    report: bool = False
    max_line_length: int = 79  # flake8's max-line-length: fixed lines stay within it (or the file's longest)
    add_noqa: bool = False  # silence every finding with # noqa instead of fixing
    new_since: str | None = None  # a git revision: findings it already had are old (FileResult.old)

    def ignored_for(self, path: str) -> frozenset[str]:
        """flake8's per-file-ignores: the codes ignored everywhere plus those of every pattern the file matches."""
        from flake8.utils import matches_filename, normalize_path

        extra = [codes for pattern, codes in self.per_file_ignores
                 if matches_filename(normalize_path(path), [pattern], "", LOG)]
        return self.ignore.union(*extra)

    def fix_kind(self, finding) -> str | None:
        """What cio-fix can do about a finding under this configuration: "safe", "unsafe" or None."""
        if not finding.fix or finding.code.startswith(tuple(self.unfixable)):
            return None
        return "unsafe" if finding.code.startswith(tuple(self.extend_unsafe)) else finding.safety


@dataclass
class FileResult:
    """One file's outcome of a ``cio-fix`` run: whether it changed, its text before and after, what was fixed and
    what is left."""

    path: str
    changed: bool = False
    encoding: str = "utf-8"  # the file's own (PEP 263 declaration, byte-order mark): it is written back in it
    source: str = ""  # the text as read, when it changed (for diffs and line numbers)
    fixed: str = ""  # the text after fixing, when it changed
    applied: list = field(default_factory=list)  # Findings fixed
    remaining: list = field(default_factory=list)  # Findings left (all findings, in a report; new ones with new_since)
    failures: list = field(default_factory=list)  # (Finding, reason) of fixes that failed and were reverted
    gated: list = field(default_factory=list)  # (Finding, why): safe fixes moving calls to the runtime made unsafe
    undone: dict = field(default_factory=dict)  # Finding left -> why its fix is not made (it would add a finding)
    old: list = field(default_factory=list)  # with new_since: findings the file already had at that revision
    error: str | None = None


def iter_files(paths: list[str], excludes: list[str]) -> list[Path]:
    """Python files under the paths, as flake8 finds them: exclude patterns match a name or an absolute path,
    also for files named on the command line; each real file once, however many symlinks lead to it."""
    require("flake8")
    from flake8.utils import matches_filename

    def excluded(path: Path) -> bool:
        return matches_filename(str(path), excludes, "", LOG)

    files = []
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            raise UsageError(f"{raw}: no such file or directory")
        if path.is_file() or not path.exists():  # a symlink leading nowhere (a loop): reading it says why
            files += [] if excluded(path) else [path]
            continue
        for root, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not excluded(Path(root, d)))
            files += [Path(root, n) for n in sorted(names) if n.endswith(".py") and not excluded(Path(root, n))]
    unique = {}
    for path in files:
        unique.setdefault(os.path.realpath(path), path)  # Path.resolve may raise on a symlink loop
    return list(unique.values())


def fix_text(data: bytes, name: str, settings: Settings) -> FileResult:
    """Fix one file's bytes; its encoding (a byte-order mark included) and line endings come back as they were."""
    from .transform import FixError  # libcst: imported only once there is a file to fix

    result = FileResult(name)
    try:
        source, result.encoding = decode(data)
    except ValueError as error:
        result.error = f"cannot decode: {error}, skipped"
        return result
    if not worth_checking(source, name, settings.options)[0]:  # no parse for files that cannot have a finding
        return result
    try:
        fixed = _fix(source, name, settings, result)
    except SyntaxError as error:
        result.error = f"syntax error at line {error.lineno}: {error.msg}, skipped"
        return result
    except FixError:  # under pytest: a bug in a fix fails the test
        raise
    except Exception as error:  # libcst may reject what ast accepts; never lose the other files to one
        result.error = f"could not be fixed ({type(error).__name__}: {error}), skipped"
        return result
    if fixed != source:  # only then the texts travel back from the worker
        result.changed, result.source, result.fixed = True, source, fixed
    return result


def _fix(source: str, name: str, settings: Settings, result: FileResult) -> str:
    """The fixed text (or, with --add-noqa, the text with its noqa comments); what was done goes into ``result``."""
    from .transform import fix_source

    def run(text: str):
        return fix_source(text, name, settings.options, unsafe=settings.unsafe, select=settings.select,
                          ignore=settings.ignored_for(name), apply=not (settings.report or settings.add_noqa),
                          unfixable=settings.unfixable, extend_unsafe=settings.extend_unsafe,
                          gate=lambda: runtime_gate(name), max_line_length=settings.max_line_length,
                          at_source=settings.dry)

    fixed = run(source)
    result.applied, result.remaining = fixed.applied, fixed.remaining
    result.gated, result.failures, result.undone = fixed.gated, fixed.failures, fixed.undone
    if settings.new_since:
        before = source_at(name, settings.new_since)
        result.remaining, result.old = split_new(fixed.remaining, _findings_or_none(run, before))
    if settings.add_noqa and fixed.remaining:
        text, result.applied, result.remaining = add_noqa(source, fixed.remaining)
        compile(text, name, "exec")  # what comments cannot break; a failure is a bug, reported as one
        return text
    return fixed.source


def _findings_or_none(run, text: str | None) -> list:
    """The findings of a file's text at a revision: none when it did not exist or did not parse there."""
    try:
        return run(text).remaining if text is not None else []
    except SyntaxError:
        return []


def encoded(result: FileResult) -> bytes:
    """The fixed text in the file's own encoding; a fix that brings a character it cannot hold is an error."""
    try:
        return result.fixed.encode(result.encoding)
    except UnicodeEncodeError as error:
        raise OSError(0, f"the fixed text does not fit the file's encoding {result.encoding}: "
                         f"{error.object[error.start:error.end]!r}") from None


def process(path: Path, settings: Settings) -> FileResult:
    try:
        data = path.read_bytes()
    except OSError as error:
        return FileResult(str(path), error=f"cannot read: {error.strerror}")
    result = fix_text(data, str(path), settings)
    if result.changed and settings.write:
        try:
            _write_over(path, data, encoded(result))
        except OSError as error:  # nothing was fixed: what would have been is still there
            result.error = f"cannot write: {error.strerror}, left unchanged"
            result.changed, result.applied, result.remaining = False, [], [*result.applied, *result.remaining]
    return result


def _write_over(path: Path, before: bytes, after: bytes) -> None:
    """Write through a symlink to its target via a temporary file and a rename, so a failure never leaves half a
    file; keep mode, owner and group; refuse read-only files and files changed since they were read."""
    target = path.resolve()
    status = target.stat()
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise OSError(0, "read-only")
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".cio-fix")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(after)
        os.chmod(temporary, status.st_mode & 0o7777)
        try:
            os.chown(temporary, status.st_uid, status.st_gid)
        except OSError:  # not root: the group at least, when we belong to it
            try:
                os.chown(temporary, -1, status.st_gid)
            except OSError:
                pass
        if target.read_bytes() != before:
            raise OSError(0, "changed on disk while being fixed")
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _codes(raw, rules: dict, what: str) -> frozenset[str]:
    codes = frozenset(code.upper() for code in split_list(raw or ""))
    for code in codes:
        problem = unknown_code(code, rules)
        if problem:
            raise UsageError(f"{what}: {problem}")
    return codes


def _flake8_codes(raw) -> frozenset[str]:
    """Codes from flake8's own ignore settings: those of other plugins are theirs, only CIO ones matter here."""
    return frozenset(code.upper() for code in split_list(raw or "") if "CIO".startswith(code.upper()[:3]))


def _line_length(raw) -> int:
    if raw is None:
        return 79  # flake8's default
    try:
        return int(str(raw).strip())
    except ValueError:
        raise UsageError(f"max-line-length: {raw!r} is not a number") from None


def settings_from(args, rules: dict) -> tuple[Settings, list[str]]:
    """Command line over configuration (the plugin's reader and flake8's rules): the settings and the excludes."""
    from flake8.utils import normalize_path, normalize_paths, parse_files_to_codes_mapping

    config, directory = load_config(args.config, args.append_config, args.isolated)
    check_codes({key: config.get(key) for key in CODE_KEYS}, lambda: rules)
    values = option_values(config)
    values.update({name: getattr(args, name) for name in OPTION_SPECS if getattr(args, name) is not None})
    excludes = [*DEFAULT_EXCLUDES, *normalize_paths(split_list(config.get("exclude", "")), directory),
                *normalize_paths(split_list(config.get("extend-exclude", "")), directory),
                *normalize_paths(args.exclude)]
    per_file = tuple((normalize_path(pattern), _flake8_codes(codes)) for pattern, codes in
                     parse_files_to_codes_mapping(config.get("per-file-ignores", "")))  # as flake8: from the cwd
    fix = {name: _codes(config.get(flag(name)), rules, flag(name)) for name in FIX_OPTIONS}
    settings = Settings(
        options=Options.from_values(**values),
        select=_codes(args.select, rules, "--select") if args.select is not None else None,
        ignore=_codes(args.ignore, rules, "--ignore") | _flake8_codes(config.get("ignore"))
        | _flake8_codes(config.get("extend-ignore")),
        per_file_ignores=tuple(item for item in per_file if item[1]),
        unfixable=fix["unfixable"] | _codes(args.unfixable, rules, "--unfixable"),
        extend_unsafe=fix["extend_unsafe_fixes"] | _codes(args.extend_unsafe_fixes, rules, "--extend-unsafe-fixes"),
        unsafe=args.unsafe_fixes,
        write=not (args.check or args.diff or args.report or args.paths == ["-"]),
        dry=args.check or args.diff,
        report=bool(args.report),
        new_since=args.new_since,
        add_noqa=args.add_noqa,
        max_line_length=_line_length(config.get("max-line-length")),
    )
    find_checked(settings.options.catalog)
    return settings, excludes


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="cio-fix", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=["."],
                        help="files or directories (default: .); - reads stdin and writes the fixed code to stdout")
    parser.add_argument("--version", action="version", version=f"cio-fix {__version__} (flake8-cio)")
    parser.add_argument("--diff", action="store_true", help="print a unified diff, change nothing")
    parser.add_argument("--check", action="store_true", help="exit 1 if anything would change, change nothing")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes that change what data is sent")
    parser.add_argument("--select", help="only these codes or prefixes (comma-separated)")
    parser.add_argument("--ignore", help="not these codes or prefixes (comma-separated)")
    parser.add_argument("--unfixable", help="report these codes or prefixes, never fix them")
    parser.add_argument("--extend-unsafe-fixes", help="treat the safe fixes of these codes or prefixes as unsafe")
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="parallel processes (default: cores)")
    parser.add_argument("--exclude", action="append", default=[],
                        help="glob of names or paths to skip (repeatable), added to the configuration's exclude")
    parser.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when a file was changed")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are left or files change")
    parser.add_argument("--fix-only", action="store_true",
                        help="apply fixes; do not list or fail on findings left "
                        "(with --exit-non-zero-on-fix: pre-commit)")
    parser.add_argument("--show-fixes", action="store_true", help="list each fix applied (or, with --check/--diff, "
                        "that would be) with its place")
    parser.add_argument("--statistics", action="store_true", help="count the findings left per code")
    parser.add_argument("--stdin-filename", help="the name of the file read from stdin (messages, per-file-ignores)")
    parser.add_argument("--config", help="the flake8 configuration file to use instead of searching for one")
    parser.add_argument("--append-config", action="append", default=[], help="one more flake8 configuration file")
    parser.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    parser.add_argument("--report", choices=sorted(REPORTS),
                        help="change nothing; write the review checklist (markdown), SARIF 2.1.0, GitHub annotations "
                        "or JSON (ruff's shape)")
    parser.add_argument("--add-noqa", action="store_true",
                        help="fix nothing; add # noqa: CODE to the line of every finding (a baseline for old code)")
    parser.add_argument("--new-since", metavar="REF",
                        help="with --report: only findings the files did not have at this git revision (matched by "
                        "rule and message, so moved lines are not new)")
    parser.add_argument("--output", "-o", help="write the report to this file instead of stdout")
    parser.add_argument("--quiet", "-q", action="store_true", help="no per-finding lines, only the summary")
    parser.add_argument("--explain", metavar="CODE",
                        help="print a rule's documentation (markdown) and exit, as `ruff rule`")
    for name in OPTION_SPECS:
        parser.add_argument(f"--{flag(name)}", dest=name, default=None, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    forget_declarations()  # a long-lived caller (tests, an editor) may have changed them since
    forget_doubles()
    args = build_parser().parse_args(argv)
    if args.explain is not None:
        return _explain(args.explain)
    stdin = "-" in args.paths
    try:
        require("flake8", "libcst", "packaging")
        rules = all_rules()
        if stdin and (args.paths != ["-"] or args.report):
            raise UsageError("- (stdin) cannot be combined with other paths or --report")
        if args.jobs < 1:
            raise UsageError("--jobs must be at least 1")
        if args.new_since is not None:
            if not args.report:
                raise UsageError("--new-since needs --report (a fix run fixes what it can, new or old)")
            check_revision(args.new_since)
        if args.add_noqa and (args.report or args.unsafe_fixes):
            raise UsageError("--add-noqa fixes nothing: it cannot be combined with --report or --unsafe-fixes")
        settings, excludes = settings_from(args, rules)
        files = [] if stdin else iter_files(args.paths, excludes)
    except (UsageError, OptionError, RevisionError, CatalogError) as error:
        print(f"cio-fix: error: {error}", file=sys.stderr)
        return 2
    if stdin:
        return _fix_stdin(args, settings, excludes)
    results = _run([(path, settings) for path in files], args.jobs)
    if args.report:
        return _write_report(results, args, settings, rules)
    return _report(results, args, settings, sys.stdout)


def _fix_stdin(args, settings: Settings, excludes: list[str]) -> int:
    """Editors' fix-on-save: the fixed code (or the diff) on stdout, everything else on stderr."""
    from flake8.utils import matches_filename

    name = args.stdin_filename or "stdin"
    data = sys.stdin.buffer.read()
    if args.stdin_filename and matches_filename(name, excludes, "", LOG):
        sys.stdout.buffer.write(data)
        return 0
    result = fix_text(data, name, settings)
    if not (args.diff or args.check):
        try:
            sys.stdout.buffer.write(encoded(result) if result.changed else data)
        except OSError as error:
            result.error = f"{error.strerror}, written unchanged"
            sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return _report([result], args, settings, sys.stderr)


def _explain(key: str) -> int:
    rule = find_rule(key)
    if rule is None:
        print(f"cio-fix: error: unknown rule {key!r}; codes are {', '.join(sorted(all_rules()))}", file=sys.stderr)
        return 2
    sys.stdout.write(rule_page(rule))
    return 0


def _write_report(results: list[FileResult], args, settings: Settings, rules: dict) -> int:
    """A report of the findings as they are (nothing fixed): exit 1 when there are any, 2 on file errors."""
    def item(path: str, f) -> Item:
        return Item(repo_path(path), f.line, f.col + 1, f.end_line, f.end_col + 1, f.code, f.message,
                    settings.fix_kind(f))

    items = [item(r.path, f) for r in results for f in r.remaining]
    old = [item(r.path, f) for r in results for f in r.old]
    catalog = find_checked(settings.options.catalog)
    not_run = {}
    for code in rules:
        if settings.select is not None and not code.startswith(tuple(settings.select)):
            not_run[code] = "not selected"
        elif code.startswith(tuple(settings.ignore)):
            not_run[code] = "ignored"
        elif code.startswith("CIO7") and catalog is None:
            not_run[code] = "no event catalog (cio-catalog)"
    skipped = [(repo_path(r.path), r.error) for r in results if r.error]
    since = {"old": old, "since": args.new_since} if args.report == "markdown" and args.new_since else {}
    text = REPORTS[args.report](items, not_run=not_run, skipped=skipped, **since)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    for r in results:
        if r.error:
            print(f"cio-fix: {r.path}: {r.error}", file=sys.stderr)
    if skipped:
        return 2
    return 1 if items and not args.exit_zero else 0


def _runtime_summary(results: list[FileResult], dry: bool) -> None:
    """Say why safe fixes that move calls to flake8_cio.runtime were held back in a project (gates.py): which were
    applied anyway (--unsafe-fixes: see to it before deploying) and which were left as unsafe."""
    for why in dict.fromkeys(why for r in results for _, why in r.gated):
        found = [(r, f) for r in results for f, reason in r.gated if reason == why]
        applied = sum(1 for r, f in found if any(f is a for a in r.applied))
        if applied:
            print(f"cio-fix: {applied} fixes {'would import' if dry else 'import'} flake8_cio.runtime, but {why} "
                  "(see to it before deploying)", file=sys.stderr)
        if len(found) > applied:
            print(f"cio-fix: {len(found) - applied} safe fixes need flake8_cio.runtime and are left as unsafe "
                  f"(--unsafe-fixes): {why}", file=sys.stderr)


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


def _report(results: list[FileResult], args, settings: Settings, out) -> int:
    """Diffs, fixes, findings left (where they are in the file as it now stands: as read with --check and --diff,
    which write nothing), statistics, the summary line. With --diff, only the diff goes to stdout."""
    dry = args.check or args.diff
    out = sys.stderr if args.diff else out
    rules = all_rules()
    changed = [r for r in results if r.changed]
    left = [(r, f) for r in results for f in r.remaining]
    if args.diff:
        for r in changed:
            sys.stdout.writelines(difflib.unified_diff(r.source.splitlines(True), r.fixed.splitlines(True),
                                                       f"a/{r.path}", f"b/{r.path}"))
    if args.check:  # as black and ruff: each file that would change, with what would be fixed in it
        for r in changed:
            print(f"would fix {r.path}: {', '.join(sorted(set(f.code for f in r.applied)))}", file=out)
    if args.show_fixes:
        for r in results:
            for f in r.applied:
                name = rules[f.code].name if f.code in rules else f.code
                print(f"{r.path}:{f.line}:{f.col + 1}: {f.code} {name}: {'would fix' if dry else 'fixed'}", file=out)
    if not (args.quiet or args.fix_only):
        for r, f in left:
            unsafe = settings.fix_kind(f) == "unsafe" and not args.unsafe_fixes
            hint = f" [not fixed: {r.undone[f]}]" if f in r.undone else \
                " [unsafe fix: --unsafe-fixes]" if unsafe else ""
            print(f"{r.path}:{f.line}:{f.col + 1}: {f.text}{hint}", file=out)
    if args.statistics:
        for code, count in sorted(Counter(f.code for _, f in left).items()):
            print(f"{count:<6}{code} {rules[code].name if code in rules else ''}".rstrip(), file=out)
    errors = [r for r in results if r.error]
    for r in errors:
        print(f"cio-fix: {r.path}: {r.error}", file=sys.stderr)
    for r in results:
        for f, reason in r.failures:
            print(f"cio-fix: {r.path}:{f.line}:{f.col + 1}: the {f.code} fix failed ({reason}) and was reverted: a "
                  "bug in cio-fix, please report it", file=sys.stderr)
    _runtime_summary(results, dry)
    applied = Counter(f.code for r in results for f in r.applied)
    fixes = ", ".join(f"{code}x{count}" for code, count in sorted(applied.items())) or "none"
    print(f"cio-fix: {len(results)} files scanned, {len(changed)} {'would change' if dry else 'changed'}; "
          f"{'noqa added' if args.add_noqa else 'fixes'}: {fixes}; {len(left)} findings left", file=sys.stderr)
    if errors:
        return 2
    if args.exit_zero:
        return 0
    if dry:
        return 1 if changed else 0
    return 1 if (left and not args.fix_only) or (args.exit_non_zero_on_fix and changed) else 0


def run() -> None:
    """The cio-fix console script."""
    run_console(main)


if __name__ == "__main__":
    run()
