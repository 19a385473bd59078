"""The event names the app sends, in one place."""
TRIAL_STARTED = "TrialStarted"
SIGNED_UP = "signed_up"
