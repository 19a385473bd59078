from django.core.management.base import BaseCommand

from shop.crm.service import sync_profile
from django.contrib.auth.models import User


class Command(BaseCommand):
    def handle(self, *args, **options):
        for user in User.objects.all():
            sync_profile(user)  # expect: CIO601
        for name in ("ops", "support"):
            sync_profile(name)
