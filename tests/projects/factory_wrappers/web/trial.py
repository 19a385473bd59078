from crm import events
from crm.clients import get_client
from crm.events import SIGNED_UP, TRIAL_STARTED


def start_trial(user):
    get_client().track(user.id, TRIAL_STARTED)  # expect: CIO202 "TrialStarted"
    get_client().track(user.id, events.TRIAL_STARTED)  # expect: CIO202
    get_client().track(user.id, SIGNED_UP)
    get_client().track(user.id, events.SIGNED_UP)
