"""What in a project makes a safe fix that moves Customer.io calls to ``flake8_cio.runtime`` unsafe there: an SDK
version not decided 3.x (the runtime client takes 3.x calls), flake8-cio being no runtime dependency (the fixed code
would not import where it is deployed), or tests with doubles of the SDK that the moved calls would bypass
(doubles.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .dependencies import declarations
from .doubles import test_doubles

RUNTIME_SDK_MAJOR = 3
SDK = ("the code targets customerio {}.x, and the runtime client takes 3.x calls (2.x's track(..., data={{...}}) "
       "sends other event data)")
UNKNOWN_SDK = ("the customerio version the code targets is unknown (its pins do not decide it, or it has none and "
               "none is installed; --cio-sdk-major says it), and the runtime client takes 3.x calls")
HTTP = ("the project's tests mock the SDK's HTTP ({}), which the runtime client does not use: they would not see "
        "the moved calls, which would reach Customer.io")
CLIENT_CLASS = ("the project's tests patch the SDK's client class ({}), and a client get_client() builds is no "
                "CustomerIO: they would not see its calls, which would reach Customer.io")


@dataclass(frozen=True)
class RuntimeGate:
    """Why the project makes such fixes unsafe; "" for each reason that does not hold."""

    undeclared: str = ""  # flake8-cio is no runtime dependency: what to declare where
    http: str = ""  # where its tests mock the SDK's HTTP
    client_class: str = ""  # where its tests patch the SDK's client class or a module's name for it

    def reason(self, fix: Mapping, adds_import: bool) -> str:
        """Why a fix that moves calls (its data: ``runtime`` is "calls" through ``nonblocking(client)`` or the
        "client" itself to ``get_client()``; ``sdk_major`` the SDK the module targets) is unsafe here, "" when
        nothing makes it so."""
        major = fix.get("sdk_major")
        if major != RUNTIME_SDK_MAJOR:
            return UNKNOWN_SDK if major is None else SDK.format(major)
        if self.undeclared and adds_import:
            return self.undeclared
        if self.http:
            return HTTP.format(self.http)
        return CLIENT_CLASS.format(self.client_class) if self.client_class and fix["runtime"] == "client" else ""


def runtime_gate(path: str) -> RuntimeGate:
    """The gate of the project a file belongs to."""
    dependencies, doubles = declarations(path), test_doubles(path)
    return RuntimeGate("" if dependencies.declared else dependencies.advice(), doubles.http, doubles.client_class)
