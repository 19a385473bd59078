from shop import crm
from shop.clients import cio
from shop.models import User


def signup(form):
    user = User.create(form)
    cio.track(user.id, "signed_up")  # expect: CIO302 "(`shop.crm.create_profile()` on line 9)"
    crm.create_profile(user)
    return user


def upgrade(user, plan):
    user.plan = plan
    crm.sync_plan(user)
    cio.track(user.id, "plan_upgraded")  # the profile was identified just before, in crm


def cancel(user):
    cio.track(user.id, "subscription_cancelled")
    crm.sync_plan(user)  # refreshes the plan only: not the profile's creation


def change_phone(user):
    crm.set_phone(user.id, user.phone)
