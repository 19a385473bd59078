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
    declaration (``# -*- coding: latin-1 -*-``), else UTF-8. Raises ValueError naming what is wrong."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), encoding
    except SyntaxError as error:  # an unknown encoding, or a BOM contradicting the declaration
        raise ValueError(str(error)) from None
    except UnicodeDecodeError as error:
        raise ValueError(f"not valid {error.encoding} (byte {error.start})") from None
