# fixes: CIO501
"""What the runtime client sends for the official one's payload: nested datetimes, big and float numbers, None, lists."""
from datetime import datetime, timezone

from customerio import CustomerIO
from flask import Flask

app = Flask(__name__)
cio = CustomerIO("test-site", "test-track-key")


@app.post("/x")
def x():
    cio.track("u1", "ordered", {"order": {"at": datetime(2023, 1, 2, tzinfo=timezone.utc)}, "ms": 1700000000123,
                                "price": 1.5, "tags": ["a", "b"], "none": None, "big": 10**20})
    return "", 204


def main():
    return app.test_client().post("/x").status_code
