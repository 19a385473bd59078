from django.conf import settings

from .lifecycle import Lifecycle

lifecycle = Lifecycle(settings.CRM)  # a holder given the settings module's client
quiet = Lifecycle(settings.DEBUG)  # a holder given a setting that is no client


def book(request, booking):
    lifecycle.on_booked(booking)  # expect: CIO501
    return "ok"


def book_quietly(request, booking):
    quiet.on_booked(booking)  # near miss: given no client
    return "ok"
