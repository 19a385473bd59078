from celery import shared_task

from crm.models import CIO, Lead, Note


@shared_task
def expire_leads():
    for lead in Lead.objects.filter(status="open").order_by("pk"):
        lead.set_status("expired")  # expect: CIO401, CIO601
    for note in Note.objects.all():
        note.set_status("expired")


@shared_task
def close_lead(lead_id):
    lead = Lead.objects.get(pk=lead_id)
    lead.set_status("closed")  # expect: CIO401
    Note.objects.get(pk=lead_id).set_status("closed")


@shared_task
def retire_officers():
    for cio in CIO.objects.filter(name=""):
        cio.delete()  # a row of the CIO model, not a client
