# CIO501 in Django and DRF views, Flask class-based views; CIO601 bulk loops.
import time

from customerio import CustomerIO
from django.views import View
from django.views.generic import FormView
from flask.views import MethodView
from rest_framework.decorators import action, api_view
from rest_framework.viewsets import ModelViewSet

from crm.clients import cio  # a project module: known by its name

tracker = CustomerIO("site", "key")


def signup(request):
    cio.identify(request.user.id)  # expect: CIO501
    return render(request, "ok.html")


@api_view(["POST"])
def api_signup(req):
    tracker.track(req.user.id, "signed_up")  # expect: CIO501


class ProfileView(View):
    def post(self, request):
        self.notify(request.user.id)  # expect: CIO501
        return redirect("/")

    def notify(self, user_id):
        tracker.identify(user_id)


class OrderViewSet(ModelViewSet):
    def create(self, request):
        settings.CUSTOMERIO.track(request.user.id, "order_created")  # expect: CIO501


class Api(MethodView):
    def get(self):
        tracker.identify("1")  # expect: CIO501


def bulk_import(rows):
    for row in rows:
        tracker.identify(row["id"], plan=row["plan"])  # expect: CIO601
    [tracker.track(r.id, "imported") for r in rows]  # expect: CIO601


# -- near misses ------------------------------------------------------------------------------------------------
def _helper(value):  # first parameter is not `request`
    tracker.identify(value)


def throttled_import(rows):
    for row in rows:
        tracker.identify(row["id"])
        time.sleep(0.01)


def paced_by_a_limiter(rows, limiter, bucket):
    for row in rows:
        with limiter:  # ratelimiter.RateLimiter
            tracker.identify(row["id"])
    for row in rows:
        bucket.consume(1)  # a token bucket
        tracker.track(row["id"], "imported")


def paced_elsewhere(rows, lock, storage):
    for row in rows:
        with lock:  # a lock is not a pace
            tracker.identify(row["id"])  # expect: CIO601
    for row in rows:
        storage.upload(row["file"])
        tracker.track(row["id"], "uploaded")  # expect: CIO601


def two_events(user):
    for name in ("trial_started", "plan_selected"):
        tracker.track(user.id, name)
    for attempt in range(3):
        tracker.identify(user.id)


def consumer(queue):
    while True:
        message = queue.get()
        tracker.track(message.user_id, "processed")


def batched(rows):
    for chunk in chunks(rows, 100):
        tracker.batch([{"type": "person", "identifiers": {"id": r.id}, "action": "identify"} for r in chunk])


class Signals:
    def handle(self, sender, instance):
        tracker.identify(instance.id)


class SignupFormView(FormView):
    def form_valid(self, form):
        cio.identify(form.instance.pk, plan="free")  # expect: CIO501
        return super().form_valid(form)

    def get_success_url(self):
        cio.track("1", "success_url_built")  # runs in the request too, but not a hook we know: silent by choice
        return "/"


class AccountViewSet(ModelViewSet):
    def perform_create(self, serializer):
        cio.identify(serializer.save().pk)  # expect: CIO501

    @action(detail=True, methods=["post"])
    def upgrade(self, request, pk=None):
        cio.track(pk, "upgraded")  # expect: CIO501

    def _helper(self, pk):
        cio.track(pk, "helped")


# Django admin actions run inside the admin's request.
from django.contrib import admin  # noqa: E402


@admin.action(description="Suppress")
def suppress_selected(modeladmin, request, queryset):
    for profile in queryset:
        cio.suppress(profile.pk)  # expect: CIO601, CIO501


class ProfileAdmin(admin.ModelAdmin):
    actions = ["resync"]

    def resync(self, request, queryset):
        cio.identify(queryset.first().pk)  # expect: CIO501

    def audit(self, request, obj):
        cio.identify(obj.pk)


def export_rows(exporter, request, queryset):
    exporter.write(queryset)
