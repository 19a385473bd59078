from .clients import cio


def signup(user):
    cio.identify(user.id, email=user.email, plan="free", created_at=1700000000)
    cio.track(user.id, "signed_up")


def upgrade(user, seats):
    cio.identify(user.id, plan="pro", seats=seats, frist_name=user.first_name)
    cio.track(user.id, "plan_changed", plan="pro")
