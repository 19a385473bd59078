"""Run a command-line tool's main() in this process, as its script would (argv, working folder, stdout and stderr
with a byte buffer underneath, exit status): what a subprocess would show, without starting an interpreter."""
import io
import os
import subprocess
import sys
from contextlib import contextmanager

from flake8_cio.project import forget_projects


@contextmanager
def _swapped(name, value):
    old = getattr(sys, name)
    setattr(sys, name, value)
    try:
        yield
    finally:
        setattr(sys, name, old)


def run(main, prog: str, args, cwd) -> subprocess.CompletedProcess:
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True) for _ in range(2))
    forget_projects()  # a file the test rewrote is read again, as a new process would
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with _swapped("stdout", out), _swapped("stderr", err), _swapped("argv", [prog, *args]):
            try:
                code = main(list(args))
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 2)
    finally:
        os.chdir(old)
    text = [stream.buffer.getvalue().decode() for stream in (out, err)]
    return subprocess.CompletedProcess([prog, *args], code, *text)


def flake8(args, cwd) -> subprocess.CompletedProcess:
    from flake8.main.cli import main

    return run(main, "flake8", args, cwd)
