"""Jobs using the client the vendored copy's factory built, and a ledger with the same method names."""
from customerio import default_client

from app.crm import crm, ledger


def remind_owners(members):
    for member in members:
        crm.track(member.username, "still_owner", {"role": member.role})  # expect: CIO601
    for member in members:
        ledger.track(member.username, "still_owner", role=member.role)


def role_changed(username, role):
    crm.track(username, "role_%s" % role)  # expect: CIO201
    ledger.track(username, "role_%s" % role)


def notify(usernames):
    for username in usernames:
        default_client().track(username, "notified")  # expect: CIO401, CIO601
