"""A table of SDK methods on a local alias of another module's client, picked by the request."""
from flask import Flask, request

from otp import crm

app = Flask(__name__)
client = crm.api  # an alias of another module's client
segment = crm.SEGMENT  # an alias of another module's table of Segment functions
ACTIONS = {"push": client.send_push, "sms": client.send_sms}


@app.post("/resend")
def resend():
    ACTIONS[request.json["channel"]]({"transactional_message_id": "otp"})  # expect: CIO501
    segment[request.json["kind"]]("u1", "Signed Up")  # near miss: Segment's functions
    return ""
