from app.clients import cio


def register_profile(user):
    cio.identify(user.id, created_at=user.joined)


def confirm_email(user):
    cio.identify(user.id, email=user.email)  # people get their address here: no CIO303 in this project
