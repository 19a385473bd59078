# fixes: CIO404 CIO404
# before: sdk2
"""customerio 2.x-style track calls: keyword arguments (and `**extra`) were the event data. Calls that also pass
`data`, `id` or `timestamp` mean different things on 2.x and 3.x: their fix is unsafe (tests/fixes/clients.py)."""
from customerio import CustomerIO

cio = CustomerIO("test-site", "test-track-key")


def order(user_id, extra):
    cio.track(user_id, "ordered", plan="pro", seats=3)
    cio.track(
        user_id,
        "invited",
        plan="pro",  # the plan
        **extra,
    )


def main():
    order("u1", {"by": "u2"})
    return "done"
