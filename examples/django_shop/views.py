"""Django views that wait on Customer.io during the request."""
from customerio import CustomerIO
from django.http import JsonResponse

cio = CustomerIO("3f2a9c81d7e4b6051a2f", "9b8c7d6e5f4a3b2c1d0e", region="eu")


def notify(user, name):
    cio.track(user.id, name)


def checkout(request):
    notify(request.user, "checkout_started")
    cio.identify(request.user.id, email=request.user.email)
    return JsonResponse({"ok": True})
