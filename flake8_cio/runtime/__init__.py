"""flake8-cio's runtime client for Customer.io: what ``cio-fix`` rewrites code to use.

``get_client()`` is a drop-in for ``customerio.CustomerIO`` that never blocks the caller: calls validate and
enqueue in microseconds; a background worker journals them to a durable spool (SQLite by default, Redis for a
shared spool), sends Track API v2 batches with rate limiting, retries with backoff and jitter behind a circuit
breaker, and replays what an earlier process left behind. Imports nothing from flake8 or libcst.
"""
from __future__ import annotations

import os
import threading

from .app import AppClient, DeliveryError
from .client import RuntimeClient, region_name

__all__ = ["get_client", "get_app_client", "nonblocking", "RuntimeClient", "AppClient", "DeliveryError"]

_clients: dict = {}
_lock = threading.Lock()


def get_client(site_id=None, api_key=None, *, region=None, **options) -> RuntimeClient:
    """The process-wide runtime client for these credentials, region and options, created once (thread-safe).
    Missing credentials come from CUSTOMERIO_SITE_ID / CUSTOMERIO_TRACK_API_KEY / CUSTOMERIO_REGION."""
    site_id = site_id or os.environ.get("CUSTOMERIO_SITE_ID")
    api_key = api_key or os.environ.get("CUSTOMERIO_TRACK_API_KEY")
    key = ("track", site_id, api_key, region_name(region), repr(sorted(options.items())))
    with _lock:
        client = _clients.get(key)
        if client is None or client._closed:
            client = _clients[key] = RuntimeClient(site_id, api_key, region=region, **options)
        return client


def get_app_client(app_key=None, *, region=None, **options) -> AppClient:
    """The process-wide transactional (App API) client for this key and region."""
    key = ("app", app_key, region_name(region), tuple(sorted(options.items())))
    with _lock:
        if key not in _clients:
            _clients[key] = AppClient(app_key, region=region, **options)
        return _clients[key]


def nonblocking(client) -> RuntimeClient:
    """The cached runtime client for an official ``customerio.CustomerIO``'s credentials and region, so that a
    call site can be fixed without touching where the client was built."""
    if isinstance(client, RuntimeClient):
        return client
    site_id, api_key = _credentials(client)
    host, port = getattr(client, "host", "") or "", getattr(client, "port", None)
    if host in ("track.customer.io", "track-eu.customer.io"):
        return get_client(site_id, api_key, region="eu" if host == "track-eu.customer.io" else "us")
    return get_client(site_id, api_key, track_url=f"https://{host}" + (f":{port}" if port else ""))


def _credentials(client) -> tuple[str, str]:
    site_id, api_key = getattr(client, "site_id", None), getattr(client, "api_key", None)
    if not (site_id and api_key):
        raise ValueError(f"nonblocking() needs a customerio.CustomerIO (with site_id and api_key), got {type(client).__name__}")
    return site_id, api_key
