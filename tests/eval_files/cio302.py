# CIO302: an event sent for a person before the flow identifies them (checked alone: local helpers only).
from customerio import CustomerIO
from customerio import analytics

from flake8_cio.runtime import get_client

cio = CustomerIO("site", "key")


# -- positives --------------------------------------------------------------------------------------------------
def signup(user):
    cio.track(user.id, "signed_up")  # expect: CIO302@5 "(the identify on line 13)"
    cio.identify(user.id, email=user.email, plan=user.plan)


def landing(user):
    cio.pageview(user.id, "/welcome")  # expect: CIO302
    cio.identify(user.id, email=user.email)


def register(user, invited):
    if invited:
        cio.track(user.id, "invite_accepted")  # expect: CIO302 -- the event is conditional, the identify is not
    cio.identify(user.id, plan="free")  # a signup flow: whatever it sends, the profile is created here


def create_account(form):
    uid = form.user.id
    cio.track(uid, "account_created", {"plan": form.plan})  # expect: CIO302 "`form.user.id`"
    with transaction():
        cio.identify(form.user.id, email=form.email, created_at=form.joined)


def sync_profile(person):
    cio.identify(person.id, email=person.email)


def onboard(new_user):
    cio.track(new_user.id, "onboarding_started")  # expect: CIO302 "(`sync_profile()` on line 40)"
    sync_profile(new_user)


class SignupView:
    def post(self, request):
        client = get_client()
        client.track(request.user.id, "signed_up")  # expect: CIO302
        client.identify(request.user.id, email=request.user.email)


# -- near misses ------------------------------------------------------------------------------------------------
def signup_in_order(user):
    cio.identify(user.id, email=user.email)
    cio.track(user.id, "signed_up")
    cio.identify(user.id, plan=user.plan)  # a later update: the profile already exists


def referral(user, referrer):
    cio.track(referrer.id, "referral_joined")  # another person
    cio.identify(user.id, email=user.email)


def signup_or_login(user, new):
    if new:
        cio.identify(user.id, email=user.email)
    else:
        cio.track(user.id, "logged_in")


def login(user):
    cio.track(user.id, "logged_in")
    if user.email_changed:
        cio.identify(user.id, email=user.email)  # only sometimes: an update, not the profile's creation


def login_refresh(user):
    cio.track(user.id, "logged_in")
    cio.identify(user.id, last_seen_at=user.seen)  # refreshes an attribute the event does not wait for


def join(user):
    sync_profile(user)  # identifies first, in a helper
    cio.track(user.id, "signed_up")
    cio.identify(user.id, email=user.email)


def notify(user, name):
    cio.track(user.id, name)


def checkout(user):
    notify(user, "checkout_started")  # the event is sent inside a helper: its other callers may identify first
    cio.identify(user.id, email=user.email)


def invite_all(friends, user):
    for friend in friends:
        cio.track(friend.id, "invited")  # expect: CIO601 -- one request per friend; not CIO302
    cio.identify(friend.id, email=friend.email)  # the last friend only: not the flow of each event


def switch_user(user, other):
    cio.track(user.id, "switched_away")
    user = other
    cio.identify(user.id, email=user.email)  # `user` is someone else now


class Session:
    def switch(self, other):
        cio.track(self.user.id, "switched_away")
        self.user = other
        cio.identify(self.user.id, email=self.user.email)  # `self.user` is someone else now


def signup_with_retry(user):
    try:
        cio.track(user.id, "signed_up")
    except ConnectionError:
        cio.identify(user.id, email=user.email)  # runs only when the event failed


def anonymous_signup(user, visitor_id):
    cio.track_anonymous(visitor_id, "visited_pricing")  # anonymous events merge into the profile later
    cio.identify(user.id, email=user.email, anonymous_id=visitor_id)


def pipelines_signup(user):
    analytics.track(user.id, "Signed Up")  # Data Pipelines: the SDK queues and batches both calls
    analytics.identify(user.id, {"email": user.email})


def history(user):
    cio.backfill(user.id, "signed_up", user.joined)  # a past event: too old to trigger campaigns
    cio.identify(user.id, email=user.email)


def deferred(user, tasks):
    tasks.add(lambda: cio.track(user.id, "signed_up"))  # runs later, elsewhere
    cio.identify(user.id, email=user.email)


def other_library(user):
    segment.track(user.id, "Signed Up")
    segment.identify(user.id, {"email": user.email})
