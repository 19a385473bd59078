"""A module whose only link to Customer.io is Django's settings object."""
from django.conf import settings
from django.contrib import admin


@admin.action(description="Resync customers")
def resync(modeladmin, request, queryset):
    for customer in queryset:
        settings.CRM.identify(customer.pk, plan=customer.plan)  # expect: CIO501, CIO601


@admin.action(description="Flag debug")
def flag(modeladmin, request, queryset):
    for customer in queryset:
        settings.DEBUG.update(customer.pk)  # near miss: a setting that is no client
