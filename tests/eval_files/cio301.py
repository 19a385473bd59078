# CIO301: email used as the customer identifier.
from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO("site", "key")


def positives(user, request, form):
    cio.identify(user.email, plan="pro")  # expect: CIO301
    cio.identify(id=user.email_address)  # expect: CIO301
    cio.track(request.form["email"], "signed_up")  # expect: CIO301
    cio.track(customer_id=form.get("email").lower(), name="signed_up")  # expect: CIO301
    cio.identify("bob@example.com", plan="pro")  # expect: CIO301
    email = request.json["email"]
    cio.delete(email)  # expect: CIO301 "`email` is computed at line 14"
    analytics.identify(user_id=user.email, traits={"plan": "pro"})  # expect: CIO301
    customer_id = user.email
    cio.suppress(customer_id)  # expect: CIO301 "computed at line 17"


def near_misses(user):
    cio.identify(user.id, email=user.email)
    cio.identify(id=user.id, **{"email": user.email})
    cio.track(user.id, "email_changed", {"old_email": user.old_email})
    cio.merge_customers("email", user.email, "id", user.id)  # the documented identifier-type form
    cio.batch([{"type": "person", "identifiers": {"email": user.email}, "action": "identify"}])
    analytics.identify(user_id=user.id, traits={"email": user.email})
    mailchimp.identify(user.email)


def ids_named_after_an_email(msg, user):
    cio.suppress(msg["old_email_profile_id"])  # an id of a profile, not an address
    cio.identify(msg["email_owner_id"], plan="pro")
    cio.identify(user.emailOwnerId, plan="pro")
    cio.identify(msg["billing_email"], plan="pro")  # expect: CIO301
    cio.identify(user.email_address, plan="pro")  # expect: CIO301
    cio.identify(user.primaryEmail, plan="pro")  # expect: CIO301


def through_a_call(db, order):
    cio.identify(db.get_user(order.customer_id).email, plan="pro")  # expect: CIO301
    cio.identify(db.get_user(order.customer_id).email_hash, plan="pro")
