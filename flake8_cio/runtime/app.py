"""The transactional (App API) client: synchronous by nature (the caller needs the delivery id), with the
runtime's retry policy: every 5xx, 408, 429 and network error retried with backoff and full jitter, Retry-After
honoured; other 4xx are final."""
from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, Mapping, Optional, Union

import urllib3

from .client import APP_URLS, FROM_ENVIRONMENT, USER_AGENT, encode, region_name, required
from .errors import CustomerIOException
from .delivery import retryable
from .policy import backoff
from .transport import retry_after

#: a ``customerio.Send*Request`` (anything with ``_to_dict()``) or the request body as a mapping
Request = Union[Mapping[str, Any], Any]


class DeliveryError(CustomerIOException):
    """A transactional message Customer.io did not accept; carries the HTTP status (None: no response). A
    subclass of ``customerio.CustomerIOException`` when that package is installed."""

    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.status = status


class AppClient:
    """Drop-in for ``customerio.APIClient``'s send methods: each returns the API's answer, e.g.
    ``{"delivery_id": ..., "queued_at": ...}``, or raises DeliveryError."""

    def __init__(self, app_key: Optional[str] = FROM_ENVIRONMENT, *, region: Any = None, app_url: Optional[str] = None,
                 retries: int = 3, timeout: float = 10.0, max_backoff: float = 10.0):
        key = required(app_key, "App API key", "CUSTOMERIO_APP_API_KEY")
        self.url = (app_url or os.environ.get("CUSTOMERIO_APP_URL") or APP_URLS[region_name(region)]).rstrip("/")
        self.retries, self.max_backoff = retries, max_backoff
        self._headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json", "User-Agent": USER_AGENT}
        self._http = urllib3.PoolManager(retries=False,
                                         timeout=urllib3.Timeout(connect=min(5.0, timeout), read=timeout))

    def send_email(self, request: Request) -> Dict[str, Any]:
        return self._send("email", request)

    def send_push(self, request: Request) -> Dict[str, Any]:
        return self._send("push", request)

    def send_sms(self, request: Request) -> Dict[str, Any]:
        return self._send("sms", request)

    def send_whatsapp(self, request: Request) -> Dict[str, Any]:
        return self._send("whatsapp", request)

    def send_inbox_message(self, request: Request) -> Dict[str, Any]:
        return self._send("inbox_message", request)

    def send_in_app(self, request: Request) -> Dict[str, Any]:
        return self._send("in_app", request)

    def _send(self, kind: str, request: Request) -> Dict[str, Any]:
        payload = request._to_dict() if hasattr(request, "_to_dict") else dict(request)
        body = encode(payload).encode()  # as the SDK: datetimes as Unix seconds (TypeError for what JSON lacks)
        failure = DeliveryError(f"send_{kind}: not sent")
        for attempt in range(self.retries + 1):
            wait = backoff(attempt, base=0.2, cap=self.max_backoff)
            try:
                response = self._http.request("POST", f"{self.url}/v1/send/{kind}", body=body, headers=self._headers,
                                              redirect=False)
            except urllib3.exceptions.HTTPError as error:
                failure = DeliveryError(f"send_{kind}: {type(error).__name__}: {error}")
            else:
                if 200 <= response.status < 300:
                    answer: Dict[str, Any] = json.loads(response.data or b"{}")
                    return answer
                failure = DeliveryError(f"send_{kind}: HTTP {response.status}", response.status)
                if not retryable(response.status):
                    raise failure
                wait = retry_after(response.headers.get("Retry-After"), self.max_backoff) or wait
            if attempt < self.retries:
                time.sleep(wait)
        raise failure

    def close(self) -> None:
        self._http.clear()
