"""The flake8 adapter: options in, engine findings out. Touches only ``ast``, never libcst."""
from __future__ import annotations

import ast
import os
import sys
from typing import Iterator

from . import __version__, catalog
from .engine import all_rules, check_source, check_tree, is_silenced, lint, reports
from .fixers.history import RevisionError, check_revision, source_at, split_new
from .types import strict
from .options import (CODE_KEYS, LIST_OPTIONS, OPTION_HELP, OPTION_SPECS, Options, OptionError, check_codes, flag,
                      load_config, option_values)


FEW_FILES = 32


def few_files(paths: list[str]) -> bool:
    """A run over a handful of named files (pre-commit, an editor): checking them costs less than the walk of the
    project that looking their findings up needs."""
    return len(paths) < FEW_FILES and all(os.path.isfile(path) for path in paths)


class Plugin:
    name = "flake8-cio"
    version = __version__
    options = Options()
    new_since: str | None = None  # --cio-new-since: only findings the file did not have at this git revision
    keep_results = True  # read findings back while the project is unchanged (engine.lint); not for a few files

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]):
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager) -> None:
        for name in OPTION_SPECS:
            # the configuration files are the shared reader's (parse_options): it knows which file set a value,
            # which a path is relative to; flake8 gives the command line's values only
            manager.add_option(f"--{flag(name)}", default=None, parse_from_config=False, help=OPTION_HELP[name],
                               comma_separated_list=name in LIST_OPTIONS)
        manager.add_option("--cio-new-since", default=None, metavar="REF",
                           help="Report only findings a file did not have at this git revision (matched by rule and "
                           "message, so moved lines are not new).")

    @classmethod
    def parse_options(cls, options) -> None:
        """The command line's values win over the shared reader's configuration (flake8's files, then [tool.flake8]
        and [tool.flake8-cio] from pyproject.toml; misspelt cio- keys, which flake8 ignores, are errors)."""
        from flake8.main.options import stage1_arg_parser

        # flake8 consumes --config, --append-config and --isolated before the options reach plugins: read them again
        # with its own parser, so that both tools see the same files
        first, _ = stage1_arg_parser().parse_known_args(sys.argv[1:])
        try:
            config, _ = load_config(first.config, first.append_config, first.isolated)
            check_codes({key: config.get(key) for key in CODE_KEYS}, all_rules)  # also what the command line overrides
            check_codes({f"--{key}": getattr(options, key.replace("-", "_"), None) for key in CODE_KEYS}, all_rules)
            values = option_values(config)
            for name in OPTION_SPECS:
                given = getattr(options, flag(name).replace("-", "_"), None)
                values[name] = values[name] if given is None else given
            cls.options = Options.from_values(**values)
            catalog.find_checked(cls.options.catalog)
            cls.new_since = options.cio_new_since
            cls.keep_results = not few_files(getattr(options, "filenames", None) or ["."])
            if cls.new_since:
                check_revision(cls.new_since)
        except (OptionError, RevisionError, catalog.CatalogError) as error:
            sys.stderr.write(f"flake8-cio: {error}\n")
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            reports = self._reports()
        except Exception as error:  # a bug of ours must not stop flake8's run over the other files
            if strict():
                raise
            sys.stderr.write(f"flake8-cio: internal error on {self.filename} ({type(error).__name__}: {error}); "
                             "its Customer.io checks were skipped: please report it\n")
            return
        for line, col, text in reports:
            yield line, col, text, type(self)

    def _reports(self) -> list[tuple[int, int, str]]:
        """(line, col, text) per finding: read back while the project is unchanged (``lint``), else checked; with
        --cio-new-since always checked (the findings at the revision are matched by rule and message)."""
        if self.keep_results and not self.new_since:
            return lint(self.tree, self.lines, self.filename, self.options)
        findings = check_tree(self.tree, self.lines, self.filename, self.options)
        if self.new_since and findings:
            findings, _ = split_new(findings, self._findings_at(self.new_since))
        return reports(findings)

    def _findings_at(self, ref: str) -> list:
        """The file's findings at the revision, those its # noqa comments silenced left out."""
        source = source_at(self.filename, ref)
        try:
            found = check_source(source, self.filename, self.options) if source is not None else []
        except SyntaxError:
            return []
        lines = source.splitlines() if source is not None else []
        return [f for f in found if not is_silenced(lines[f.line - 1], f.code)]
