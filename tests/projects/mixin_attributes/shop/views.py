from django.http import JsonResponse
from django.views import View

from crm.audit import AuditLog
from crm.mixins import AuditMixin, CrmMixin


class CartView(CrmMixin, View):
    def post(self, request):
        self.outbound.track(request.user.pk, "cart_abandoned")  # expect: CIO501
        return JsonResponse({"ok": True})


class AuditedView(AuditMixin, View):
    def post(self, request):
        self.outbound.track(request.user.pk, "cart_abandoned")  # near miss: the audit log's track
        return JsonResponse({"ok": True})


class RelabelledView(CrmMixin, View):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.outbound = AuditLog()  # its own attribute hides the mixin's client

    def post(self, request):
        self.outbound.track(request.user.pk, "cart_abandoned")  # near miss: the audit log set in __init__
        return JsonResponse({"ok": True})
