"""The text prefilter: a module that never names the SDK, our runtime or a client name has nothing to find.

Shared by the engine (for the file under check) and the project model (for the modules it imports); knows
nothing else of ours but the options.
"""
from __future__ import annotations

from .options import Options


def might_use_customerio(source: str, options: Options) -> bool:
    """Cheap text test: a module that never names the SDK, our runtime or a client name has nothing to find.
    Plain substring searches (C speed) rather than one regex, which costs more than the rest of the checker."""
    text = source.lower()
    if "customerio" in text or "flake8_cio" in text:
        return True
    for name in options.client_name_set:
        start = text.find(name)
        while start != -1:
            end = start + len(name)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not (before.isalnum() or before in "_'\"") and not (after.isalnum() or after in "_'\""):
                return True  # a word of code, not part of a name or a quoted string ('CIO', an airport code)
            if before in "'\"" and after == before and text[start - 2:start - 1] == "[":
                return True  # a client looked up by its name: app.extensions["cio"], request.app['cio']
            start = text.find(name, end)
    return False
