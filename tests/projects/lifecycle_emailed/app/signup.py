from app.clients import cio
from app.profiles import confirm_email, register_profile


def signup(user):
    cio.identify(user.id, plan="free")  # no email yet, but profiles.confirm_email sends it
    cio.track(user.id, "signed_up")


def register(user):
    register_profile(user)  # identifies first, in another module
    cio.track(user.id, "registered")


def verify(user):
    cio.track(user.id, "email_verified")  # expect: CIO302 "(`app.profiles.confirm_email()` on line 17)"
    confirm_email(user)


def invite(user, friend):
    cio.track(user.id, "friend_invited")  # confirm_email identifies the friend: someone else
    confirm_email(friend)
