import os

from rest_framework import viewsets
from rest_framework.decorators import action

from crm.clients import AuditLog, CrmGateway, CustomerIOExt, Mailer, TrackedView, crm_holder
from customerio import CustomerIO, SendEmailRequest

shared = CustomerIOExt(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
mailer = Mailer(os.environ["CIO_APP_KEY"])
log = AuditLog()


class ContactViewSet(viewsets.ModelViewSet):
    crm_tracker = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    history = AuditLog()

    def perform_update(self, serializer):
        self.crm_tracker.identify(serializer.instance.pk, plan="pro")  # expect: CIO501
        self.history.identify(serializer.instance.email)

    def create(self, request):
        self.crm_tracker.track(request.user.email, "contact_created")  # expect: CIO301, CIO501
        log.track(request.user.email, "contact_created")

    @action(detail=True, methods=["post"])
    def forget(self, request, pk=None):
        ContactViewSet.crm_tracker.delete_device(pk, "device-1")  # expect: CIO501


class OrderViewSet(TrackedView, viewsets.ViewSet):
    def create(self, request):
        self.crm_tracker.track(request.user.pk, "OrderPlaced")  # expect: CIO202, CIO501
        self.audit.track(request.user.email, "x")

    def update(self, request, pk=None):
        shared.track(request.user.pk, "order_updated", plan="pro")  # expect: CIO404, CIO501
        shared.track_order(request.order)  # expect: CIO501 "crm.clients.CustomerIOExt.track_order -> self.track()"
        mailer.send_email(SendEmailRequest(to=request.user.email, transactional_message_id="1"))  # expect: CIO501


def nightly(users):
    for user in users:
        CustomerIOExt(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"]).identify(user.pk)  # expect: CIO401, CIO601


class GatewayViewSet(viewsets.ViewSet):
    def create(self, request):
        CrmGateway().sdk.track(request.user.pk, "gateway_used")  # expect: CIO501
        CrmGateway().audit.track(request.user.pk, "GatewayUsed")
        crm_holder.client.track(request.user.pk, "holder_used")  # expect: CIO501
        crm_holder.log.track(request.user.pk, "HolderUsed")
