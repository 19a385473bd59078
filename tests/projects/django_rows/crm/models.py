from django.db import models

from crm.clients import CustomerIOClient


class Lead(models.Model):
    status = models.CharField(max_length=20)

    def set_status(self, status):
        self.status = status
        self.save()
        CustomerIOClient().status_changed(self)  # a new client on every call: reported where it is called per job


class Note(models.Model):
    body = models.TextField()

    def set_status(self, status):
        self.body = status


class CIO(models.Model):
    """A chief information officer, in a CRM: a model whose name reads like a client."""

    name = models.CharField(max_length=80)
