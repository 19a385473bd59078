"""Thin wrappers around the shared clients, the way the team calls Customer.io."""
from crm.clients import get_app, get_client, get_queued, get_segment

cio = get_client()
segment = get_segment()
queued = get_queued()


def track_event(user_id, name, data=None):
    cio.track(user_id, name, data=data)


def identify(user_id, **attributes):
    get_client().identify(user_id, **attributes)


def send_receipt(request):
    return get_app().send_email(request)


def mirror_to_segment(user_id, name):
    segment.track(user_id, name)


def track_queued(user_id, name):
    queued.track(user_id, name)


class Billing:
    def __init__(self):
        self.api = get_app()
        self.warehouse = get_segment()

    def invoice(self, request):
        return self.api.send_email(request)

    def record(self, user_id):
        self.warehouse.identify(user_id, billed=True)


def identify_with(user_id, **attributes):
    cio.identify(user_id, **attributes)


def track_with(user_id, name, **extra):
    cio.track(user_id, name, **extra)
