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
            if not (start and (text[start - 1].isalnum() or text[start - 1] == "_")) and \
                    not (end < len(text) and (text[end].isalnum() or text[end] == "_")):
                return True
            start = text.find(name, end)
    return False
