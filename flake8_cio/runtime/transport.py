"""HTTP to one Customer.io API: a urllib3 pool, the base URL and credentials, and the redirects Customer.io
documents (a request to the wrong region is answered with a redirect).

urllib3 with ``retries=False`` and explicit timeouts: it is already a dependency of ``customerio`` and
``requests``, its pool is thread-safe, and it hides no retry layer (retry state lives in the spool).
"""
from __future__ import annotations

import math
from typing import Mapping, Optional
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import InvalidHeader

REDIRECTS = (301, 302, 307, 308)
MAX_REDIRECTS = 3
_RETRY = urllib3.Retry(0)


class Transport:
    """POSTs to ``base_url + path``. A redirect to a ``*.customer.io`` host or to the configured host is followed
    with the same method, body and credentials (at most MAX_REDIRECTS hops, never from https to http) and the new
    base URL is remembered in ``moved_to``; any other redirect is returned for the caller to judge."""

    def __init__(self, base_url: str, headers: Mapping[str, str], timeout: float, pool_size: int = 2):
        self.base_url = base_url.rstrip("/")
        self.headers = headers
        self.configured_host = urlsplit(self.base_url).hostname
        self.moved_to: Optional[str] = None
        self.http = urllib3.PoolManager(num_pools=4, maxsize=pool_size, retries=False,
                                        timeout=urllib3.Timeout(connect=min(5.0, timeout), read=timeout))

    def post(self, path: str, body: bytes) -> urllib3.BaseHTTPResponse:
        """The final response (urllib3 errors propagate: the caller classes them as network failures)."""
        url = self.base_url + path
        for _ in range(MAX_REDIRECTS + 1):
            response = self.http.request("POST", url, body=body, headers=dict(self.headers), redirect=False)
            if response.status not in REDIRECTS:
                return response
            target = urljoin(url, response.headers.get("Location", ""))
            if not self.may_follow(url, target):
                return response
            if target.endswith(path):
                self.base_url = self.moved_to = target[: len(target) - len(path)]
            url = target
        return response

    def may_follow(self, source: str, target: str) -> bool:
        parts = urlsplit(target)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or (urlsplit(source).scheme == "https" and parts.scheme != "https"):
            return False
        return host == self.configured_host or (parts.scheme == "https" and host.endswith(".customer.io"))

    def close(self) -> None:
        self.http.clear()


def retry_after(value: Optional[str], cap: float) -> Optional[float]:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date, parsed by urllib3), capped at `cap`; None
    when absent or malformed (``nan``, garbage): the caller then uses its own backoff."""
    if not value:
        return None
    try:
        seconds = _RETRY.parse_retry_after(value)
    except InvalidHeader:
        return None
    return min(seconds, cap) if math.isfinite(seconds) else None
