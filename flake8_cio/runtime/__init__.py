"""flake8-cio's runtime client for Customer.io: what ``cio-fix`` rewrites code to use. Imports nothing from flake8
or libcst.

``get_client()`` is a drop-in for ``customerio.CustomerIO`` that never blocks the caller: a call validates,
stamps its acceptance time, encodes and enqueues in microseconds; background threads journal it to a durable
spool (SQLite by default, Redis for a shared spool) and send Track API v2 batches with rate limiting, retries
with backoff and jitter behind a circuit breaker, and replay what an earlier process left behind.

Threads (per process and client, started on first use):

- the caller's threads own nothing: each call copies its operation (JSON, with its event id) into this process's
  journal file (a shared memory map), so it survives the death of the process once the call returns
  (journal.py); what the file cannot take waits in memory;
- the journal thread moves the journal (and memory) into the spool every ``flush_interval`` unless the send
  thread keeps up with it (below), takes over sends that outlived the spool lease, and replays the journals of
  dead processes exactly once; it also
  reads the spool's depth and fill for ``health()`` (which does no spool I/O) and, while a failed durable spool
  has left events in memory, retries it every ``breaker_cooldown`` and moves them back into it;
- the send thread claims entries from the spool (a lease), sends them through the ``Transport`` (urllib3 pool,
  redirects) and settles each: ack, release (now, or after a backoff while younger entries go first), pause
  (configuration errors) or dead letter. With nothing to claim it sends what callers journaled since, straight
  from the journal file (a loan the SQLite spool records), and copies it into the spool only if that fails.

Every SQLite call holds one process-wide lock (a write waiting for another process's lock waits outside it). What
a fork resets: ``os.register_at_fork`` takes that lock around the fork, and the child gets a fresh queue, locks,
spool connection and (lazily) threads and HTTP pool; it drops the parent's queued events (the parent delivers
those). Exit paths: ``atexit`` closes every client at once, each within its ``shutdown_timeout``; multiprocessing
children, which leave through ``os._exit``, close on multiprocessing's finalizers; SIGTERM (if no one else handles
it, or chained to the handler already installed) journals what is queued, lets a request in flight finish (up to
a second), and lets the signal do what it did before.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
import sys
import types
from typing import Any, Hashable, Optional

from .app import AppClient, DeliveryError
from .client import FROM_ENVIRONMENT, RuntimeClient, credentials, region_name
from .errors import InvalidCall, Refused

__all__ = ["get_client", "get_app_client", "nonblocking", "RuntimeClient", "AppClient", "DeliveryError",
           "InvalidCall", "Refused"]

#: clients remembered by get_client (an LRU); how many are active at once is bounded separately (client.py)
MAX_CLIENTS = 1024
_clients: "OrderedDict[Hashable, RuntimeClient]" = OrderedDict()
_app_clients: "OrderedDict[Hashable, AppClient]" = OrderedDict()
_lock = threading.Lock()


def get_client(site_id: Optional[str] = FROM_ENVIRONMENT, api_key: Optional[str] = FROM_ENVIRONMENT, *,
               region: Any = None, **options: Any) -> RuntimeClient:
    """The process-wide runtime client for these credentials, region and options, created once (thread-safe).
    Credentials come from CUSTOMERIO_SITE_ID / CUSTOMERIO_TRACK_API_KEY only when the call passes neither: a call
    that passes one without the other, or a blank or None one, raises InvalidCall (a CustomerIOException), never
    uses another workspace's. The region defaults to CUSTOMERIO_REGION.

    With per-tenant credentials, at most CUSTOMERIO_MAX_ACTIVE_CLIENTS (16) clients run threads and hold their
    spool file open at once: starting one more idles the least recently active (see RuntimeClient.idle), which
    wakes on its next call, so no reference ever breaks. The cache itself keeps the last MAX_CLIENTS."""
    site_id, api_key = credentials(site_id, api_key)
    key = ("track", site_id, api_key, region_name(region), repr(sorted(options.items())))
    with _lock:
        client = _clients.get(key)
        if client is None or client.closed:
            client = _clients[key] = RuntimeClient(site_id, api_key, region=region, **options)
        _clients.move_to_end(key)
        while len(_clients) > MAX_CLIENTS:
            _clients.popitem(last=False)  # forgotten, not closed: whoever holds it may still use it
        return client


def get_app_client(app_key: Optional[str] = FROM_ENVIRONMENT, *, region: Any = None, **options: Any) -> AppClient:
    """The process-wide transactional (App API) client for this key and region (an LRU of MAX_CLIENTS: an
    App client holds only a connection pool, closed when it drops out)."""
    key = ("app", app_key, region_name(region), repr(sorted(options.items())))  # values may be unhashable
    with _lock:
        client = _app_clients.get(key)
        if client is None:
            client = _app_clients[key] = AppClient(app_key, region=region, **options)
        _app_clients.move_to_end(key)
        while len(_app_clients) > MAX_CLIENTS:
            _app_clients.popitem(last=False)[1].close()
        return client


def nonblocking(client: Any) -> Any:
    """The cached runtime client for an official ``customerio.CustomerIO``'s credentials and region, so that a
    call site can be fixed without touching where the client was built. Anything that is not the official client
    (a runtime client, a test's ``Mock`` patched in for it, a test double) is returned as it is; an official client
    some of whose methods are not the SDK's own (a test patched the object or the class, a subclass overrides one)
    gets a `Routed` view that calls those methods as before (same calls, results and side effects, nothing sent)
    and the runtime for the others."""
    if not _is_official_client(client):
        return client
    replaced = [name for name in SDK_METHODS if not _sdk_own(client, name)]
    if replaced:
        return Routed(client, frozenset(replaced))
    return _runtime_for(client)


#: the official client's public methods the runtime client stands in for
SDK_METHODS = ("identify", "track", "track_anonymous", "pageview", "backfill", "delete", "suppress", "unsuppress",
               "add_device", "delete_device", "merge_customers", "batch")


class Routed:
    """An official client with replaced methods: those are called on it; everything else is the runtime's."""

    def __init__(self, client: Any, replaced: frozenset[str]):
        self.client, self.replaced = client, replaced

    def __getattr__(self, name: str) -> Any:
        if name in self.replaced:
            return getattr(self.client, name)
        return getattr(_runtime_for(self.client), name)


def _sdk_own(client: Any, name: str) -> bool:
    """Whether `client.name` is the SDK's own function, neither patched on the object or its class nor
    overridden: a plain function whose code is in the customerio package."""
    if name in getattr(client, "__dict__", {}):
        return False
    function = getattr(type(client), name, None)
    package = sys.modules.get("customerio")
    code = getattr(function, "__code__", None)
    return (isinstance(function, types.FunctionType) and code is not None and package is not None
            and code.co_filename.startswith(os.path.dirname(getattr(package, "__file__", "") or "?")))


def _runtime_for(client: Any) -> RuntimeClient:
    site_id, api_key = getattr(client, "site_id", None), getattr(client, "api_key", None)
    host, port = getattr(client, "host", "") or "", getattr(client, "port", None)
    if host in ("track.customer.io", "track-eu.customer.io"):
        return get_client(site_id, api_key, region="eu" if host == "track-eu.customer.io" else "us")
    return get_client(site_id, api_key, track_url=f"https://{host}" + (f":{port}" if port not in (None, 443) else ""))


def _is_official_client(client: Any) -> bool:
    return any(cls.__module__.split(".")[0] == "customerio" for cls in type(client).__mro__)
