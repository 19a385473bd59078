# cio-fix: --unsafe-fixes
from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO(SITE, KEY)


def events(user, product, kind):
    cio.track(user.id, f"viewed_{product.id}")
    cio.track(user.id, f"{kind}_clicked", {"source": "ads"})
    cio.track(user.id, 'UserSignedUp', data={"plan": "pro"})
    cio.track(user.id, f"clicked_{kind!r}")  # not simple: reported, not fixed
    analytics.track(user.id, "order_completed")
    cio.identify(user.email, plan="pro")
    cio.identify(id=member.email_address, email=member.email_address)
    cio.track(user.email, "viewed_page")
    cio.suppress(settings.ADMIN_EMAIL)  # not an object's email: reported, not fixed
