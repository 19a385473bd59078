from flask import Flask, request

from otp.crm import PLAIN, SEGMENT, SENDERS, api

app = Flask(__name__)
LOCAL = {"push": api.send_push, "sms": api.send_sms}


@app.post("/otp")
def otp():
    SENDERS[request.json["channel"]]({"transactional_message_id": "otp"})  # expect: CIO501
    LOCAL[request.json["channel"]]({"transactional_message_id": "otp"})  # expect: CIO501
    LOCAL["push"]({"transactional_message_id": "otp"})  # expect: CIO501
    SEGMENT[request.json["kind"]]("u1", "Signed Up")  # near miss: Segment's functions
    PLAIN[request.json["kind"]](request)  # near miss: a table of project functions that never reach Customer.io


def resend(channel):  # near miss: no handler, no loop
    SENDERS[channel]({"transactional_message_id": "otp"})
