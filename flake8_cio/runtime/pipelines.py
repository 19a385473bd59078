"""A Data Pipelines (CDP) destination for dual-writing: the same calls, journaled, batched and retried like the
Track client's, sent as Pipelines messages to ``{host}/v1/batch`` with ``X-Strict-Mode: 1`` (without it the API
answers 200 and silently drops invalid messages). Deletes, suppressions and devices become the documented semantic
events; what Pipelines documents no equivalent for is refused at the call with a ValueError (as a secondary, the
primary logs and counts the refusal and carries on)."""
from __future__ import annotations

import base64
import time
from datetime import datetime, timezone
from typing import Any

from .client import RuntimeClient, region_name
from .policy import ulid

HOSTS = {"us": "https://cdp.customer.io", "eu": "https://cdp-eu.customer.io"}
SEMANTIC = {"delete": "User Deleted", "suppress": "User Suppressed", "unsuppress": "User Unsuppressed",
            "add_device": "Device Created or Updated", "delete_device": "Device Deleted"}
EVENTS = {"event": ("track", "event"), "page": ("page", "name"), "screen": ("screen", "name")}


class PipelinesClient(RuntimeClient):
    """``RuntimeClient(..., secondary=PipelinesClient(write_key))`` copies every event to Data Pipelines; its
    failures are logged and counted on it, never raised into the primary or the caller."""

    BATCH_PATH = "/v1/batch"

    def __init__(self, write_key: str, *, host: str | None = None, region: Any = None, **options: Any):
        if not write_key:
            raise ValueError("missing Data Pipelines write key")
        region = region_name(region)
        super().__init__("pipelines", write_key, region=region, track_url=host or HOSTS[region], **options)
        self._headers["Authorization"] = "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()
        self._headers["X-Strict-Mode"] = "1"

    def wire(self, op: dict[str, Any]) -> dict[str, Any]:
        """The Pipelines message for a Track operation, stamped with a messageId and its time (the operation's, or
        now: the acceptance time) as the Pipelines SDK does at enqueue; ValueError for what has no equivalent."""
        if "v1" in op:  # an anonymous event
            body = op["v1"]["body"]
            if not body.get("anonymous_id"):
                raise _unmapped("an anonymous event without an anonymous_id (an invite)")
            return _message("track", {"anonymousId": body["anonymous_id"]}, body, event=body["name"],
                            properties=body.get("data", {}))
        action = op.get("action")
        if op.get("type") != "person" or action not in (*EVENTS, *SEMANTIC, "identify"):
            raise _unmapped(f"the Track operation {op.get('type')}/{action}")
        who = op.get("identifiers") or {}
        if list(who) != ["id"]:
            raise _unmapped(f"a person identified by {', '.join(who) or 'nothing'} (Pipelines identifies by userId)")
        user = {"userId": who["id"]}
        if action == "identify":
            return _message("identify", user, op, traits=op.get("attributes", {}))
        if action in EVENTS:
            kind, name_key = EVENTS[action]
            return _message(kind, user, op, **{name_key: op.get("name")}, properties=op.get("attributes", {}))
        fields: dict[str, Any] = {}
        if "device" in op:
            device = op["device"]
            extra = sorted(set(device) - {"token", "platform"})
            if extra:
                raise _unmapped(f"device {' and '.join(extra)} (context.device carries only token and type)")
            fields["context"] = {"device": {"token": device.get("token"), **(
                {"type": device["platform"]} if "platform" in device else {})}}
        return _message("track", user, op, event=SEMANTIC[action], **fields)


def _unmapped(what: str) -> ValueError:
    return ValueError(f"Data Pipelines has no documented equivalent of {what}: not sent to Pipelines")


def _message(kind: str, who: dict[str, Any], source: dict[str, Any], **fields: Any) -> dict[str, Any]:
    seconds = source.get("timestamp")
    moment = datetime.fromtimestamp(time.time() if seconds is None else seconds, timezone.utc)
    return {"type": kind, **who, **fields, "messageId": source.get("id") or ulid(),
            "timestamp": moment.isoformat(timespec="milliseconds" if seconds is None else "seconds")}
