"""flake8-cio's runtime client for Customer.io: what ``cio-fix`` rewrites code to use. Imports nothing from flake8
or libcst.

``get_client()`` is a drop-in for ``customerio.CustomerIO`` that never blocks the caller: a call validates,
stamps its acceptance time, encodes and enqueues in microseconds; background threads journal it to a durable
spool (SQLite by default, Redis for a shared spool) and send Track API v2 batches with rate limiting, retries
with backoff and jitter behind a circuit breaker, and replay what an earlier process left behind.

Threads (per process and client, started on first use):

- the caller's threads own nothing: they append ``(json, accept time, id)`` to a deque (thread-safe appends), or
  with ``durable="sync"`` write to the spool themselves;
- the journal thread moves the deque into the spool every ``flush_interval`` (at once when ``batch_size`` are
  waiting), whatever the sender is doing, so a hung request never holds accepted events in memory only; it also
  reads the spool's depth and fill for ``health()`` (which does no spool I/O) and, while a failed durable spool
  has left events in memory, retries it every ``breaker_cooldown`` and moves them back into it;
- the send thread claims entries from the spool (a lease), sends them through the ``Transport`` (urllib3 pool,
  redirects) and settles each: ack, release (now, or after a backoff while younger entries go first), pause
  (configuration errors) or dead letter.

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
from typing import Any, Hashable, Optional, Tuple

from .app import AppClient, DeliveryError
from .client import RuntimeClient, region_name

__all__ = ["get_client", "get_app_client", "nonblocking", "RuntimeClient", "AppClient", "DeliveryError"]

#: clients remembered by get_client (an LRU); how many are active at once is bounded separately (client.py)
MAX_CLIENTS = 1024
_clients: "OrderedDict[Hashable, RuntimeClient]" = OrderedDict()
_app_clients: "OrderedDict[Hashable, AppClient]" = OrderedDict()
_lock = threading.Lock()


def get_client(site_id: Optional[str] = None, api_key: Optional[str] = None, *, region: Any = None,
               **options: Any) -> RuntimeClient:
    """The process-wide runtime client for these credentials, region and options, created once (thread-safe).
    Missing credentials come from CUSTOMERIO_SITE_ID / CUSTOMERIO_TRACK_API_KEY / CUSTOMERIO_REGION.

    With per-tenant credentials, at most CUSTOMERIO_MAX_ACTIVE_CLIENTS (16) clients run threads and hold their
    spool file open at once: starting one more idles the least recently active (see RuntimeClient.idle), which
    wakes on its next call, so no reference ever breaks. The cache itself keeps the last MAX_CLIENTS."""
    site_id = site_id or os.environ.get("CUSTOMERIO_SITE_ID")
    api_key = api_key or os.environ.get("CUSTOMERIO_TRACK_API_KEY")
    key = ("track", site_id, api_key, region_name(region), repr(sorted(options.items())))
    with _lock:
        client = _clients.get(key)
        if client is None or client._closed:
            client = _clients[key] = RuntimeClient(site_id, api_key, region=region, **options)
        _clients.move_to_end(key)
        while len(_clients) > MAX_CLIENTS:
            _clients.popitem(last=False)  # forgotten, not closed: whoever holds it may still use it
        return client


def get_app_client(app_key: Optional[str] = None, *, region: Any = None, **options: Any) -> AppClient:
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
    (a runtime client, a test's ``Mock`` patched in for it, a test double) is returned as it is: the calls a test
    expects on its Mock still reach it, and no real client is built from a Mock's attributes."""
    if not _is_official_client(client):
        return client
    site_id, api_key = _credentials(client)
    host, port = getattr(client, "host", "") or "", getattr(client, "port", None)
    if host in ("track.customer.io", "track-eu.customer.io"):
        return get_client(site_id, api_key, region="eu" if host == "track-eu.customer.io" else "us")
    return get_client(site_id, api_key, track_url=f"https://{host}" + (f":{port}" if port else ""))


def _is_official_client(client: Any) -> bool:
    return any(cls.__module__.split(".")[0] == "customerio" for cls in type(client).__mro__)


def _credentials(client: Any) -> Tuple[str, str]:
    site_id, api_key = getattr(client, "site_id", None), getattr(client, "api_key", None)
    if not (site_id and api_key):
        raise ValueError("nonblocking() needs a customerio.CustomerIO (with site_id and api_key), "
                         f"got {type(client).__name__}")
    return site_id, api_key
