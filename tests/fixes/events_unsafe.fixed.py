# cio-fix: --unsafe-fixes
from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO(SITE, KEY)
SIGNED_UP = "UserSignedUp"


def events(user, product, kind, extra):
    cio.identify(user.id, plan="pro", email=user.email)
    cio.identify(id=member.id, email=member.email_address)
    cio.track(user.id, "viewed", data={"product_id": product.id})
    cio.track(user.id, "clicked", {"source": "ads", "kind": kind})
    cio.track(user.id, f"{kind}_clicked", {"kind": "author's"})  # the key is taken: not fixed
    cio.track(
        user.id, "shared", {"kind": kind, **(extra or {})}
    )  # ours first: the author's value wins
    cio.track(user.id, 'user_signed_up', data={"plan": "pro"})
    cio.track(user.id, "user_signed_up")  # the constant has other readers: changed at the call
    cio.track(user.id, f"clicked_{kind!r}")  # not simple: reported, not fixed
    analytics.track(user.id, "Order Completed")
    cio.track(user.id, "viewed_page")
    cio.suppress(settings.ADMIN_EMAIL)  # not an object's email: reported, not fixed
    cio.delete(user.email)  # the profile's id may really be the email: reported, not fixed
    analytics.identify(
        user.id, {"email": user.email, "plan": "pro"}
    )  # Data Pipelines: the email goes in the traits
    return SIGNED_UP
