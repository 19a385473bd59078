"""The flake8 adapter: options in, engine findings out. Touches only ``ast``, never libcst."""
from __future__ import annotations

import ast
import sys
from typing import Iterator

from . import __version__
from .engine import check_tree
from .options import LIST_OPTIONS, OPTION_HELP, OPTION_SPECS, Options, OptionError, flag, load_config, option_values


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
            manager.add_option(f"--{flag(name)}", default=None, parse_from_config=True, help=OPTION_HELP[name],
                               comma_separated_list=name in LIST_OPTIONS)

    @classmethod
    def parse_options(cls, options) -> None:
        """flake8's values (command line, then its config file) win; the shared reader adds [tool.flake8] and
        [tool.flake8-cio] from pyproject.toml, and rejects misspelt cio- keys, which flake8 ignores."""
        from flake8.main.options import stage1_arg_parser

        # flake8 consumes --config, --append-config and --isolated before the options reach plugins: read them again
        # with its own parser, so that both tools see the same files
        first, _ = stage1_arg_parser().parse_known_args(sys.argv[1:])
        try:
            config, _ = load_config(first.config, first.append_config, first.isolated)
            values = option_values(config)
            for name in OPTION_SPECS:
                given = getattr(options, flag(name).replace("-", "_"), None)
                values[name] = values[name] if given is None else given
            cls.options = Options.from_values(**values)
        except OptionError as error:
            sys.stderr.write(f"flake8-cio: {error}\n")
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        for finding in check_tree(self.tree, self.lines, self.filename, self.options):
            yield finding.line, finding.col, finding.text, type(self)
