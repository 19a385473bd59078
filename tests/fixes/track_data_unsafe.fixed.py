# cio-fix: --unsafe-fixes
"""2.x-style keywords beside `data`: on 2.x every keyword was data (`data=` too), on 3.x the call raises; merging
them into `data` is the likely meaning, so the fix is unsafe."""
from flake8_cio.runtime import get_client

shared = get_client()


def signup(user, extra):
    shared.track(
        user.id,
        "signed_up",
        data={
            "plan": "pro",
            "source": "web",
        },  # moved into data
    )
    shared.track(user.id, "signed_up", {"plan": "pro"})  # data=None: replaced, never {**None}
    shared.track(user.id, "signed_up", {**(extra or {}), "plan": "pro"})  # a name: {**(extra or {}), ...}
    shared.track(user.id, "signed_up", timestamp=1700000000, data={"plan": "pro"})  # 2.x: timestamp was data
