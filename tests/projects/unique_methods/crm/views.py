from django.http import JsonResponse
from django.views import View
from django.views.decorators.http import require_POST

from crm.models import Lead


def count(request):
    return JsonResponse({"leads": Lead.objects.count()})


@require_POST
def close_lead(request, lead_id):
    lead = request.lead_cache[lead_id]  # nobody can type this value
    lead.set_lead_status("closed")  # expect: CIO401, CIO501
    return JsonResponse({"ok": True})


@require_POST
def sync(request):
    request.current_lead.sync_to_crm()  # expect: CIO501
    return JsonResponse({"ok": True})


@require_POST
def archive(request):
    request.current_lead.archive()  # two classes define archive()
    request.current_lead.label()  # reaches nothing
    request.current_lead.refresh_profile()  # a test double defines it too
    request.session.save()  # many classes could: the project defines no save()
    return JsonResponse({"ok": True})


class LeadView(View):
    def post(self, request):
        self.notify_team()  # inherited from a base the project does not define
        return super().set_lead_status("closed")  # a base's method, not Lead's
