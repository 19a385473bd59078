from django.http import JsonResponse
from django.views import View

from crm.mixins import AuditMixin, CrmMixin


class CartView(CrmMixin, View):
    def post(self, request):
        self.outbound.track(request.user.pk, "cart_abandoned")  # expect: CIO501
        return JsonResponse({"ok": True})


class AuditedView(AuditMixin, View):
    def post(self, request):
        self.outbound.track(request.user.pk, "cart_abandoned")  # near miss: the audit log's track
        return JsonResponse({"ok": True})
