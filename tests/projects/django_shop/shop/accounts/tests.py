"""Django's tests.py: a test's loop drives a double or a fake server, never a bulk import."""
from django.contrib.auth.models import User
from django.test import TestCase

from shop.crm.service import sync_profile


class SyncTest(TestCase):
    def test_many_profiles(self):
        for user in User.objects.all():
            sync_profile(user)
