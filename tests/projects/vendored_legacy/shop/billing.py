from flask import Flask

from lib.customerio import default_client

app = Flask(__name__)


@app.post("/invoices/<invoice_id>/paid")
def paid(invoice_id):
    client = default_client()  # expect: CIO401
    client.track(invoice_id, "invoice_paid", amount=10)  # expect: CIO501 -- keyword data is right on 0.5.2
    return "ok"
