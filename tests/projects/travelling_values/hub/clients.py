"""A client subclass with helpers, handed out by a cached factory; a dataclass container of clients."""
import functools
import os
from dataclasses import dataclass
from typing import Optional

from customerio import CustomerIO


class HubCustomerIO(CustomerIO):
    def ride_booked(self, rider_id):
        self.track(rider_id, "ride_booked", data={})


@functools.cache
def hub_client() -> HubCustomerIO:
    return HubCustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


class Metrics:
    def ride_booked(self, rider_id):
        return rider_id


@functools.cache
def metrics() -> Metrics:
    return Metrics()


@dataclass
class Services:
    tracker: CustomerIO
    metrics: Metrics
    backup: Optional[CustomerIO] = None


@functools.cache
def services() -> Services:
    return Services(tracker=hub_client(), metrics=metrics())


SERVICES = Services(tracker=hub_client(), metrics=metrics())
