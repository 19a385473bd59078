"""Reading Python files as Python reads them: the one decoder of cio-fix, the new-code comparison and
cio-catalog."""
from __future__ import annotations

import io
import tokenize

#: Folders (and names) that hold no project code: version control, environments, caches, build output.
DEFAULT_EXCLUDES = (".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
                    "build", "dist", ".eggs", "*.egg-info", ".mypy_cache", ".pytest_cache", ".ruff_cache")


def decode(data: bytes) -> tuple[str, str]:
    """A Python file's text and encoding as Python (and flake8) read it: a byte-order mark or a PEP 263
    declaration (``# -*- coding: latin-1 -*-``), else UTF-8. Raises ValueError naming what is wrong, and where."""
    if b"\0" in data:
        raise ValueError(f"a NUL byte {_at(data, data.index(0))}: a binary file, not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:  # an unknown encoding, or a BOM contradicting the declaration
        if not isinstance(error.__context__, UnicodeDecodeError):
            raise ValueError(str(error)) from None
        encoding = "utf-8"  # the first two lines are not UTF-8, in which a declaration would be read
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as error:
        raise ValueError(f"not valid {error.encoding}: byte 0x{data[error.start]:02x} {_at(data, error.start)}") \
            from None


def _at(data: bytes, offset: int) -> str:
    """Where a byte is, as an editor shows it (line, column in characters) and as a byte offset."""
    line, start = data.count(b"\n", 0, offset) + 1, data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", "replace")) + 1
    return f"at line {line}, column {column} (byte offset {offset})"
