"""Profiles: no identify anywhere in this project sends `email`."""
from shop.clients import cio


def create_profile(user):
    cio.identify(user.id, plan=user.plan, created_at=user.joined)  # expect: CIO303 -- called by accounts.signup


def sync_plan(user):
    cio.identify(user.id, plan=user.plan)  # reported once per project: at the signup flow's identify only


def set_phone(user_id, phone):  # a wrapper putting its parameter under a keyword: no email through it either
    cio.identify(user_id, phone=phone)
