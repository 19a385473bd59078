from celery import shared_task

from crm.models import Lead


@shared_task
def purge():
    Lead.objects.filter(email="").delete()


@shared_task
def close_all(leads):
    for lead in leads:
        lead.set_lead_status("closed")  # expect: CIO401, CIO601
