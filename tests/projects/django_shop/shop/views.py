from django.views.generic import FormView
from rest_framework import viewsets
from rest_framework.decorators import action

from shop.crm import client
from shop.crm.service import CrmService

crm = CrmService()


class UpgradeView(FormView):
    def form_valid(self, form):
        crm.upgraded(form.instance, form.cleaned_data["plan"])  # expect: CIO501
        return super().form_valid(form)

    def get_success_url(self):
        return "/done"


class AccountViewSet(viewsets.ModelViewSet):
    def perform_create(self, serializer):
        user = serializer.save()
        client.cio.identify(user.pk, email=user.email)  # expect: CIO501

    @action(detail=True, methods=["post"])
    def upgrade(self, request, pk=None):
        CrmService().upgraded(self.get_object(), "pro")  # expect: CIO501
        return None

    def _audit(self, user):
        crm.upgraded(user, "audit")
