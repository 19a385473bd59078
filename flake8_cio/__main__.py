"""python -m flake8_cio: the tools flake8-cio installs, reachable without their scripts on PATH.

  python -m flake8_cio lint [FLAKE8 ARGS]   flake8 with the CIO rules and E9 (files that do not parse)
  python -m flake8_cio fix [CIO-FIX ARGS]   cio-fix: apply the fixes, reports
  python -m flake8_cio catalog ...          cio-catalog: the event catalog's typed client, a first catalog
"""
from __future__ import annotations

import sys

from flake8_cio import __version__


def _lint(argv: list[str]) -> int:
    from flake8.main.cli import main as flake8

    return flake8(["--select", "CIO,E9", *argv])


def _fix(argv: list[str]) -> int:
    from flake8_cio.fixers.cli import main as fix

    return fix(argv)


def _catalog(argv: list[str]) -> int:
    from flake8_cio.fixers.catalog_cli import main as catalog

    return catalog(argv)


COMMANDS = {"lint": _lint, "fix": _fix, "catalog": _catalog}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0 if argv else 2
    if argv[0] == "--version":
        print(f"flake8-cio {__version__}")
        return 0
    if argv[0] not in COMMANDS:
        print(f"python -m flake8_cio: unknown command {argv[0]!r}; commands: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except ImportError as error:  # a runtime-only install: no flake8 or libcst
        print(f"python -m flake8_cio: {argv[0]} needs {error.name}: python3 -m pip install 'flake8-cio[lint]'",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    from flake8_cio.fixers.console import run

    run(main)
