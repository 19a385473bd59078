"""What the command-line tools share: an argument parser that answers an unknown option with the nearest known
one, and the console-script wrapper that exits quietly when the reader goes away (``cio-fix ... | head``)."""
from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import Callable


class Parser(argparse.ArgumentParser):
    """argparse with "did you mean" for an unknown option (also in subcommands)."""

    def __init__(self, *args, **kwargs):
        self.known_options: list[str] = []  # before argparse adds --help
        super().__init__(*args, **kwargs)

    def add_argument(self, *names, **kwargs):
        self.known_options += [name for name in names if name.startswith("-")]
        return super().add_argument(*names, **kwargs)

    def parse_args(self, args=None, namespace=None):
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.error(unknown_message(extras, self.known_options))
        return parsed


def unknown_message(extras: list[str], known: list[str]) -> str:
    message = f"unrecognized arguments: {' '.join(extras)}"
    option = next((e.split("=", 1)[0] for e in extras if e.startswith("-")), None)
    near = difflib.get_close_matches(option, known, n=1) if option else []
    return message + (f" (did you mean {near[0]}?)" if near else "")


def run(main: Callable[[list[str] | None], int]) -> None:
    """Exit with main()'s code; a closed stdout (``| head``) ends it without a traceback, as ``head`` expects."""
    try:
        code = main(None)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the flush at exit cannot raise again
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
