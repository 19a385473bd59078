"""A Data Pipelines (CDP) destination for dual-writing: the same calls, journaled, batched and retried like the
Track client's, sent as Pipelines messages to ``{host}/v1/batch``. Deletes, suppressions and devices become the
reserved semantic events (``User Deleted``, ``Device Created or Updated``, ...)."""
from __future__ import annotations

import base64
from datetime import datetime, timezone

from .client import RuntimeClient
from .policy import ulid

HOSTS = {"us": "https://cdp.customer.io", "eu": "https://cdp-eu.customer.io"}
SEMANTIC = {"delete": "User Deleted", "suppress": "User Suppressed", "unsuppress": "User Unsuppressed",
            "add_device": "Device Created or Updated", "delete_device": "Device Deleted"}


class PipelinesClient(RuntimeClient):
    """``RuntimeClient(..., secondary=PipelinesClient(write_key))`` copies every event to Data Pipelines; its
    failures are logged and counted on it, never raised into the primary or the caller."""

    BATCH_PATH = "/v1/batch"

    def __init__(self, write_key: str, *, host: str | None = None, region: str = "us", **options):
        if not write_key:
            raise ValueError("missing Data Pipelines write key")
        super().__init__("pipelines", write_key, region=region, track_url=host or HOSTS[region], **options)
        self._headers["Authorization"] = "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()

    def wire(self, op: dict) -> dict:
        if "v1" in op:  # an anonymous event
            body = op["v1"]["body"]
            return _message("track", {"anonymousId": body.get("anonymous_id") or ulid()}, event=body["name"],
                            properties=body.get("data", {}), messageId=body.get("id"), at=body.get("timestamp"))
        if op.get("action") == "merge":
            primary, secondary = next(iter(op["primary"].values())), next(iter(op["secondary"].values()))
            return _message("alias", {"userId": primary}, previousId=secondary)
        who = op.get("identifiers", {})
        user = {"userId": who.get("id") or who.get("email") or f"cio_{who.get('cio_id')}"}
        action = op.get("action")
        if action == "identify":
            return _message("identify", user, traits=op.get("attributes", {}))
        if action in ("event", "page", "screen"):
            kind = "track" if action == "event" else action
            name_key = "event" if kind == "track" else "name"
            return _message(kind, user, **{name_key: op["name"]}, properties=op.get("attributes", {}),
                            messageId=op.get("id"), at=op.get("timestamp"))
        properties = {"device_id": op["device"]["token"], **op["device"]} if "device" in op else {}
        properties.pop("token", None)
        return _message("track", user, event=SEMANTIC[action], properties=properties)


def _message(kind: str, who: dict, at=None, messageId=None, **fields) -> dict:
    message = {"type": kind, **who, **fields, "messageId": messageId or ulid()}
    if at is not None:
        message["timestamp"] = datetime.fromtimestamp(at, timezone.utc).isoformat()
    return message
