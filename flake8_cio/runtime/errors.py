"""The runtime's exceptions: subclasses of ``customerio.CustomerIOException`` when that package is installed, so
that ``except CustomerIOException`` handlers written for the official client catch them (the runtime does not need
it installed)."""
from __future__ import annotations

from typing import TYPE_CHECKING


class _Missing(Exception):
    """Stands in for ``customerio.CustomerIOException`` where that package is not installed."""


if TYPE_CHECKING:
    CustomerIOException = _Missing
else:
    try:
        from customerio.client_base import CustomerIOException
    except ImportError:
        CustomerIOException = _Missing


class Refused(Exception):
    """A call the runtime refuses at the call. Each kind is also exactly what the official client raises for that
    call, and nothing more, so the application's ``except`` clauses and error handlers catch what they caught."""


class InvalidCall(Refused, CustomerIOException):
    """A call the official client refuses with a ``CustomerIOException``: a blank id, a value JSON cannot carry
    (it wraps the encoding error), ..."""


class InvalidData(Refused, AttributeError):
    """Event data that is not a mapping: the official client fails on ``data.items()`` (AttributeError)."""


class InvalidText(Refused, UnicodeEncodeError):
    """An id with a lone surrogate, which UTF-8 cannot carry: the official client raises UnicodeEncodeError."""

    def __init__(self, message: str, text: str):
        UnicodeEncodeError.__init__(self, "utf-8", text, 0, len(text), "surrogates not allowed")
        self.message = message

    def __str__(self) -> str:
        return self.message
