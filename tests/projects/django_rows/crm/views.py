from django.shortcuts import get_list_or_404, get_object_or_404, redirect

from crm.models import Lead, Note


def close(request, pk):
    lead = get_object_or_404(Lead, pk=pk)
    lead.set_status("closed")  # expect: CIO401, CIO501
    get_object_or_404(Note, pk=pk).set_status("closed")
    return redirect("lead", pk=pk)


def close_open(request, pk):
    get_object_or_404(Lead.objects.filter(status="open"), pk=pk).set_status("closed")  # expect: CIO401, CIO501
    return redirect("lead", pk=pk)


def close_all(request, owner):
    for lead in get_list_or_404(Lead, owner=owner):
        lead.set_status("closed")  # expect: CIO401, CIO501, CIO601
    for note in get_list_or_404(Note, owner=owner):
        note.set_status("closed")
    return redirect("leads")


def archive(request, pk):
    note = get_object_or_404(Note, pk=pk)
    note.set_status("archived")  # a Note: its set_status never reaches Customer.io
    return redirect("notes")


def close_queued(request, pk):
    queued = Lead.objects.filter(status="queued")
    get_object_or_404(queued, pk=pk).set_status("closed")  # expect: CIO401, CIO501
    return redirect("lead", pk=pk)
