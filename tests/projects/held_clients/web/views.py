from rest_framework import viewsets

from crm.clients import box, log_box
from crm.wrappers import AuditMessaging, LazyClient, Messaging, OrderEvents


class OrderViewSet(viewsets.ViewSet):
    def create(self, request):
        box.client.track(request.user.pk, "OrderCreated")  # expect: CIO202, CIO501
        log_box.client.write("order created")

    def update(self, request, pk=None):
        LazyClient().api.track(request.user.pk, "OrderUpdated")  # expect: CIO202, CIO501
        LazyClient().log.write("order updated")

    def partial_update(self, request, pk=None):
        OrderEvents().shipped(request.order)  # expect: CIO501 "crm.wrappers.OrderEvents.shipped -> self.api.track()"
        OrderEvents().noted(request.order)


class UserViewSet(viewsets.ViewSet):
    def create(self, request):
        Messaging().welcome(request.user)  # expect: CIO501
        Messaging().remember(request.user)

    def destroy(self, request, pk=None):
        AuditMessaging().audited(request.user)  # expect: CIO501
