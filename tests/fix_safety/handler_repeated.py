# fixes: CIO501
"""The same request twice within a second: two identical events, as the official client sends them."""
from customerio import CustomerIO
from flask import Flask

app = Flask(__name__)
cio = CustomerIO("test-site", "test-track-key")


@app.post("/like/<post>")
def like(post):
    cio.track("u1", "liked", {"post": post})
    return "", 204


def main():
    web = app.test_client()
    return [web.post("/like/p1").status_code, web.post("/like/p1").status_code]
