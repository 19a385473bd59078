# fixes: CIO501
# before: sdk2
# sdk-major: 2
"""Why nonblocking() is unsafe on customerio 2.x: the runtime client takes 3.x calls. On 2.x, track(customer_id,
name, **data) reads `data={"rows": 3}` as one event attribute named data, so Customer.io received
{"data": {"rows": 3}} (a template reads {{event.data.rows}}); through the runtime client the event data is
{"rows": 3}. Where the project pins 2.x, or its pin does not decide, the fix is left unsafe."""
from customerio import CustomerIO
from flask import Flask

app = Flask(__name__)
cio = CustomerIO("test-site", "test-track-key")


@app.post("/reports/<report_id>")
def report_ready(report_id):
    cio.track("u1", "report_ready", data={"rows": 3})
    return "", 204


def main():
    return app.test_client().post("/reports/r1").status_code
