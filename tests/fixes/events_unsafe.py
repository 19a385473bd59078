# cio-fix: --unsafe-fixes
from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO(SITE, KEY)
SIGNED_UP = "UserSignedUp"


def events(user, product, kind, extra):
    cio.identify(user.email, plan="pro")
    cio.identify(id=member.email_address, email=member.email_address)
    cio.track(user.id, f"viewed_{product.id}")
    cio.track(user.id, f"{kind}_clicked", {"source": "ads"})
    cio.track(user.id, f"{kind}_clicked", {"kind": "author's"})  # the key is taken: not fixed
    cio.track(user.id, f"{kind}_shared", extra)  # ours first: the author's value wins
    cio.track(user.id, 'UserSignedUp', data={"plan": "pro"})
    cio.track(user.id, SIGNED_UP)  # the constant has other readers: changed at the call
    cio.track(user.id, f"clicked_{kind!r}")  # not simple: reported, not fixed
    analytics.track(user.id, "order_completed")
    cio.track(user.email, "viewed_page")
    cio.suppress(settings.ADMIN_EMAIL)  # not an object's email: reported, not fixed
    cio.delete(user.email)  # the profile's id may really be the email: reported, not fixed
    analytics.identify(user.email, {"plan": "pro"})  # Data Pipelines: the email goes in the traits
    return SIGNED_UP
