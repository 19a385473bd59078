# cio-fix: --unsafe-fixes
from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO(SITE, KEY)


def events(user, product, kind):
    cio.track(user.id, "viewed", data={"product_id": product.id})
    cio.track(user.id, "clicked", {"source": "ads", "kind": kind})
    cio.track(user.id, 'user_signed_up', data={"plan": "pro"})
    cio.track(user.id, f"clicked_{kind!r}")  # not simple: reported, not fixed
    analytics.track(user.id, "Order Completed")
    cio.identify(user.id, plan="pro", email=user.email)
    cio.identify(id=member.id, email=member.email_address)
    cio.track(user.id, "viewed_page")
    cio.suppress(settings.ADMIN_EMAIL)  # not an object's email: reported, not fixed
