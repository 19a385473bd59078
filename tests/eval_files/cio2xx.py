# CIO201 dynamic event names, CIO202 event name style, CIO203 PII in event names.
from enum import Enum

import customerio as sdk
from customerio import analytics

SIGNED_UP = "signed_up"
PREFIX = "order"
cio = sdk.CustomerIO("site", "key")


class Events(str, Enum):  # a str Enum: its members are the strings JSON sends
    VIEWED = "ViewedProduct"


def dynamic(user, product, kind, parts):
    cio.track(user.id, f"viewed_{product.id}")  # expect: CIO201
    cio.track(user.id, "viewed_" + kind)  # expect: CIO201
    cio.track(user.id, "viewed_{}".format(kind))  # expect: CIO201
    cio.track(user.id, "viewed_%s" % kind)  # expect: CIO201
    cio.track(user.id, "_".join(parts))  # expect: CIO201
    name = f"{kind}_clicked"
    cio.track(user.id, name)  # expect: CIO201 "`name` is computed at line 22"
    analytics.track(user.id, f"{kind} Viewed")  # expect: CIO201


def style(user):
    cio.track(user.id, "UserSignedUp")  # expect: CIO202
    cio.track_anonymous(None, "order-completed")  # expect: CIO202
    cio.backfill(user.id, "Purchased", 1700000000)  # expect: CIO202
    cio.track(customer_id=user.id, name="trial started")  # expect: CIO202
    analytics.track(user.id, "order_completed")  # expect: CIO202


def pii(user):
    cio.track(user.id, f"signup_{user.email}")  # expect: CIO201, CIO203
    cio.track(user.id, "invited_bob@example.com")  # expect: CIO202, CIO203
    cio.track(user.id, "called_+1 415 555 0100")  # expect: CIO202, CIO203


def near_misses(user, product, event_name):
    cio.track(user.id, SIGNED_UP)
    cio.track(user.id, Events.VIEWED)  # expect: CIO202
    cio.track(user.id, f"viewed_product")
    cio.track(user.id, f"ViewedProduct")  # expect: CIO202 -- an f-string without placeholders is a literal
    cio.track(user.id, f"{PREFIX}_placed")  # only constants: static
    cio.track(user.id, event_name)  # a parameter: unknown, silent
    name = "checkout_started"
    cio.track(user.id, name)
    cio.track(user.id, "purchased", {"email": user.email, "product": f"p_{product.id}"})
    cio.pageview(user.id, f"/products/{product.id}")  # a page, not an event name
    analytics.track(user.id, "Order Completed")
    analytics.track(user.id, "Device Created or Updated", {"device_id": "d"})  # reserved semantic event
    analytics.page(user.id, None, "HomePage")  # page names are not events
    mixpanel.track(user.id, f"viewed_{product.id}")
    segment_analytics.track(user.id, "UserSignedUp")
    logger.info(f"viewed_{product.id}")


class Kinds(Enum):
    VIEWED = "ViewedProduct"  # a plain Enum's member is no string: not what an event name reads


def plain_enum(user):
    cio.track(user.id, Kinds.VIEWED)


class Kinds2(Enum):
    VIEWED = "ItemViewed"


from django.db import models  # noqa: E402


class Status(models.TextChoices):
    BOOKED = "BookingMade", "Booking made"
    CANCELLED = "booking_cancelled", "Booking cancelled"


def enum_values(user):
    cio.track(user.id, Kinds2.VIEWED.value)  # expect: CIO202
    cio.track(user.id, Status.BOOKED)  # expect: CIO202
    cio.track(user.id, Status.CANCELLED)
    cio.track(user.id, Status.BOOKED.label)
