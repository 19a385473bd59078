"""Models whose methods reach Customer.io; callers hold their instances in untyped names."""
import os

from customerio import CustomerIO
from django.db import models

from crm.wrapper import CustomerIOClient

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


class Lead(models.Model):
    email = models.EmailField()

    def set_lead_status(self, status):
        CustomerIOClient().identify(self.pk, status=status)  # a wrapper (so a client) built per call

    def sync_to_crm(self):
        cio.identify(self.pk, email=self.email)

    def archive(self):
        cio.track(self.pk, "lead_archived")

    def label(self):
        return f"lead {self.pk}"


class Account(models.Model):
    def archive(self):  # a second class defines archive(): which one runs is not known
        cio.track(self.pk, "account_archived")


class Contact(models.Model):
    def refresh_profile(self):  # defined once here, once in a test double: not unique
        cio.identify(self.pk)


class UnitOfWork:
    """Set on the request at run time (request.uow = UnitOfWork(cio)): its callers cannot type it."""

    def __init__(self, crm):
        self.crm = crm

    def flush_crm(self):
        self.crm.track("ops", "orders_flushed")

    def dumps(self):  # the name of a library function too: a call on the library's module is not this
        self.crm.track("ops", "uow_dumped")


def uow_for(request):
    request.uow = UnitOfWork(cio)
