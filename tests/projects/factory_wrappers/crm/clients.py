"""The one place that builds clients: a guarded singleton, an lru_cache'd App client, and look-alikes."""
import functools
import os
import threading

import segment.analytics
from customerio import APIClient, CustomerIO

from flake8_cio.runtime import get_client as runtime_client

_lock = threading.Lock()
_client = None


def get_client():
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    return _client


@functools.lru_cache
def get_app():
    return APIClient(os.environ["CIO_APP_KEY"])


def get_segment():
    return segment.analytics.Client(os.environ["SEGMENT_KEY"])


def get_queued():
    return runtime_client()
