# fixes: CIO404 CIO404 CIO404
# before: sdk2
"""Layout: a fix that would make a line longer than any in the file splits the call, and one written one argument
per line keeps that (the event data one entry per line); what is sent stays the same."""
from customerio import CustomerIO

cio = CustomerIO("test-site", "test-track-key")


def order(user_id, plan, seats, referrer, campaign):
    cio.track(user_id, "ordered_plan", plan=plan, seats=seats, referrer=referrer, campaign=campaign)  # longest
    cio.track(
        user_id,
        "invited",
        plan=plan,  # the plan
        seats=seats,
    )
    cio.track(user_id, "renewed",
              plan=plan,
              seats=seats)


def main():
    order("u1", "pro", 3, "newsletter", "spring")
    return "done"
