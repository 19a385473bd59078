"""A classmethod singleton, and a module function handing it out: one client for the process."""
import os

from customerio import CustomerIO


class ClientHolder:
    _client = None

    @classmethod
    def get(cls) -> CustomerIO:
        if cls._client is None:
            cls._client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
        return cls._client


def client() -> CustomerIO:
    return ClientHolder.get()


def fresh_client() -> CustomerIO:
    return CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
