"""The flake8 adapter: options in, engine findings out. Touches only ``ast``, never libcst."""
from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Iterator

from . import __version__
from .engine import check_tree
from .options import OPTION_HELP, OPTION_SPECS, Options, OptionError, flag, read_config


class Plugin:
    name = "flake8-cio"
    version = __version__
    options = Options()

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]):
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager) -> None:
        for name in OPTION_SPECS:
            manager.add_option(f"--{flag(name)}", default=None, parse_from_config=True, help=OPTION_HELP[name])

    @classmethod
    def parse_options(cls, options) -> None:
        values = {name: getattr(options, flag(name).replace("-", "_"), None) for name in OPTION_SPECS}
        try:
            read_config(Path.cwd())  # flake8 ignores unknown keys; a misspelt cio- option must not pass silently
            cls.options = Options.from_values(**values)
        except OptionError as error:
            sys.stderr.write(f"flake8-cio: {error}\n")
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        for finding in check_tree(self.tree, self.lines, self.filename, self.options):
            yield finding.line, finding.col, finding.text, type(self)
