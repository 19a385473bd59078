"""A table of instances used in its own module."""
import os

from customerio import CustomerIO
from flask import Flask, request

app = Flask(__name__)
cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


class Welcome:
    def send(self, user_id):
        cio.track(user_id, "welcome_sent")


class Silent:
    def send(self, user_id):
        return user_id


NOTICES = {"welcome": Welcome(), "silent": Silent()}


@app.post("/notices/<kind>")
def notice(kind):
    NOTICES[kind].send(request.json["user_id"])  # expect: CIO501
    return "ok"


@app.post("/notices/silent")
def silent():
    NOTICES["silent"].send(request.json["user_id"])  # near miss: the literal key picks the notice that sends nothing
    return "ok"
