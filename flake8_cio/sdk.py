"""Facts about the real Customer.io SDKs that the rules rely on (see shared/reference/customerio-api.md).

Kept in one place so that a change in the SDK is a change here, not in every rule.
"""
from __future__ import annotations

from .frozen import frozen

TRACK, APP, ANALYTICS, RUNTIME = "track", "app", "analytics", "runtime"
KINDS = frozenset({TRACK, APP, ANALYTICS, RUNTIME})

#: Constructor qualified names and the kind of client they build.
CONSTRUCTORS = {
    "customerio.CustomerIO": TRACK,
    "customerio.track.CustomerIO": TRACK,
    "customerio.APIClient": APP,
    "customerio.api.APIClient": APP,
    "customerio.analytics.Client": ANALYTICS,
    "customerio.analytics.client.Client": ANALYTICS,
}
ANALYTICS_MODULE = "customerio.analytics"
OWN = "<project>."  # prefix of a project's own module named like the SDK (see project.Project.real_name)

#: What the SDK's package holds (3.2 and earlier): its modules and public classes, and the classes whose definition
#: marks a module as the SDK's own (a vendored copy is recognised by these, not by its folder).
SDK_CLASSES = frozenset({
    "CustomerIO", "APIClient", "ClientBase", "CustomerIOException", "Regions", "Region", "TCPKeepAliveHTTPAdapter",
    "SendEmailRequest", "SendPushRequest", "SendSMSRequest", "SendWhatsAppRequest", "SendInboxMessageRequest",
    "SendInAppRequest",
})
SDK_MODULES = frozenset({
    "track", "api", "regions", "client_base", "constants", "analytics", "__version__", "version", "_version",
})
REGIONS = ("customerio.Regions", "customerio.regions.Regions")

#: Our own runtime client: calls through it are non-blocking and batched.
RUNTIME_FACTORIES = {
    f"flake8_cio.runtime.{name}": kind
    for name, kind in (("get_client", RUNTIME), ("nonblocking", RUNTIME), ("get_app_client", APP))
}


#: Our runtime client's class, in annotations.
RUNTIME_TYPES = {"flake8_cio.runtime.RuntimeClient": RUNTIME, "flake8_cio.runtime.client.RuntimeClient": RUNTIME}

#: Runtime factories taking the same credentials: checked for hard-coded and wrong-type keys like constructors.
RUNTIME_CONSTRUCTORS = {"flake8_cio.runtime.get_client": TRACK, "flake8_cio.runtime.get_app_client": APP}


@frozen
class Signature:
    """Positional parameter names of an SDK method and what its ``**kwargs`` are."""

    params: tuple[str, ...]
    kwargs: str | None = None  # "attributes" / "data" for methods taking **kwargs; None: extra kwargs are errors


TRACK_METHODS = {
    "identify": Signature(("id",), kwargs="attributes"),
    "track": Signature(("customer_id", "name", "data", "id", "timestamp")),
    "track_anonymous": Signature(("anonymous_id", "name", "data", "id", "timestamp")),
    "pageview": Signature(("customer_id", "page"), kwargs="data"),
    "backfill": Signature(("customer_id", "name", "timestamp"), kwargs="data"),
    "delete": Signature(("customer_id",)),
    "suppress": Signature(("customer_id",)),
    "unsuppress": Signature(("customer_id",)),
    "add_device": Signature(("customer_id", "device_id", "platform"), kwargs="data"),
    "delete_device": Signature(("customer_id", "device_id")),
    "merge_customers": Signature(("primary_id_type", "primary_id", "secondary_id_type", "secondary_id")),
    "batch": Signature(("operations",)),
}
APP_METHODS = {
    name: Signature(("request",))
    for name in ("send_email", "send_push", "send_sms", "send_whatsapp", "send_inbox_message", "send_in_app")
}
_TAIL = ("context", "timestamp", "anonymous_id", "integrations", "message_id")
ANALYTICS_METHODS = {
    "identify": Signature(("user_id", "traits") + _TAIL),
    "track": Signature(("user_id", "event", "properties") + _TAIL),
    "page": Signature(("user_id", "category", "name", "properties") + _TAIL),
    "screen": Signature(("user_id", "category", "name", "properties") + _TAIL),
    "group": Signature(("user_id", "group_id", "traits") + _TAIL),
    "alias": Signature(("previous_id", "user_id", "context", "timestamp", "integrations", "message_id")),
    "flush": Signature(()),
    "join": Signature(()),
    "shutdown": Signature(()),
}
#: Data Pipelines calls that block the caller even though the client queues.
ANALYTICS_BLOCKING = {"flush", "join", "shutdown"}
METHODS = {TRACK: TRACK_METHODS, APP: APP_METHODS, ANALYTICS: ANALYTICS_METHODS, RUNTIME: TRACK_METHODS}
ALL_METHOD_NAMES = frozenset(name for methods in METHODS.values() for name in methods)

#: Parameters by their role in the payload.
IDENTIFIER_PARAMS = {"customer_id", "user_id"}  # plus "id" for identify only
EVENT_NAME_PARAMS = {"name", "event"}  # "name" of page/screen is a screen name, handled by the caller
PAYLOAD_PARAMS = {"data", "properties", "traits", "operations", "request", "context"}
EVENT_METHODS = {"track", "track_anonymous", "backfill"}

#: Data Pipelines semantic events: reserved names with side effects, never renamed.
RESERVED_PIPELINES_EVENTS = frozenset({
    "User Deleted", "User Suppressed", "User Unsuppressed", "Device Created or Updated", "Device Deleted",
    "Relationship Deleted", "Object Deleted", "Report Delivery Event",
})


def guessed_kind(method: str) -> str | None:
    """The client a method name says, for a receiver known only by its name: Track, else App, else none."""
    return TRACK if method in TRACK_METHODS else APP if method in APP_METHODS else None
