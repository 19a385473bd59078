"""The transactional (App API) client: synchronous by nature (the caller needs the delivery id), with the
runtime's retry policy: backoff with full jitter, Retry-After honoured, 4xx other than 408/429 not retried."""
from __future__ import annotations

import json
import os
import time

import urllib3

from .client import APP_URLS, USER_AGENT, _require, region_name
from .policy import backoff
from .transport import retry_after

ENDPOINTS = ("email", "push", "sms", "whatsapp", "inbox_message", "in_app")


class DeliveryError(Exception):
    """A transactional message Customer.io did not accept; carries the HTTP status (None: no response)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class AppClient:
    def __init__(self, app_key=None, *, region=None, app_url=None, retries: int = 3, timeout: float = 10.0,
                 max_backoff: float = 10.0):
        key = _require(app_key, "App API key", "CUSTOMERIO_APP_API_KEY")
        self.url = (app_url or os.environ.get("CUSTOMERIO_APP_URL") or APP_URLS[region_name(region)]).rstrip("/")
        self.retries, self.max_backoff = retries, max_backoff
        self._headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "User-Agent": USER_AGENT}
        self._http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=min(5.0, timeout), read=timeout))

    def _send(self, kind: str, request) -> dict:
        payload = request._to_dict() if hasattr(request, "_to_dict") else dict(request)
        body = json.dumps(payload, default=str).encode()
        for attempt in range(self.retries + 1):
            wait = backoff(attempt, base=0.2, cap=self.max_backoff)
            try:
                response = self._http.request("POST", f"{self.url}/v1/send/{kind}", body=body, headers=self._headers,
                                              redirect=False)
            except urllib3.exceptions.HTTPError as error:
                failure = DeliveryError(f"send_{kind}: {type(error).__name__}: {error}")
            else:
                if 200 <= response.status < 300:
                    return json.loads(response.data or b"{}")
                failure = DeliveryError(f"send_{kind}: HTTP {response.status}", response.status)
                if response.status not in (408, 429) and response.status < 500:
                    raise failure
                wait = retry_after(response.headers.get("Retry-After"), self.max_backoff) or wait
            if attempt < self.retries:
                time.sleep(wait)
        raise failure

    def close(self) -> None:
        self._http.clear()


for _kind in ENDPOINTS:
    setattr(AppClient, f"send_{_kind}", lambda self, request, _kind=_kind: self._send(_kind, request))
