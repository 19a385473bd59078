"""Not a test module, though its name ends in "tests": the loop is a bulk import."""
from django.contrib.auth.models import User

from shop.crm.service import sync_profile


def enter_all():
    for user in User.objects.all():
        sync_profile(user)  # expect: CIO601
