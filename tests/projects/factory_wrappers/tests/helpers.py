"""Test helpers: loops here drive fakes, not bulk imports."""
from crm.tracking import track_event


def replay_signups(users):
    for user in users:
        track_event(user.id, "signed_up")
