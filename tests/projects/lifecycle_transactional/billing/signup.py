from billing.clients import cio


def signup(user):
    cio.identify(user.id, plan="trial")  # no email attribute, but receipts go to the address: not CIO303
