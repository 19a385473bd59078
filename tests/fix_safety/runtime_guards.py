# fixes: CIO501 CIO501
"""The runtime client's guards (millisecond and event-name warnings) log; what is sent stays as the official client sends
it: a millisecond attribute, an event name not in snake_case (their own fixes are unsafe and not applied here)."""
from customerio import CustomerIO
from flask import Flask

app = Flask(__name__)
cio = CustomerIO("test-site", "test-track-key")


@app.post("/x")
def x():
    cio.identify("u1", signed_up_at=LEGACY_MS, plan="pro")
    cio.track("u1", "OrderPlaced", {"placed_at": LEGACY_MS})
    return "", 204


LEGACY_MS = 1700000000123


def main():
    return app.test_client().post("/x").status_code
