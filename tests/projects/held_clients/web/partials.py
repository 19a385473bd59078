"""Views calling a holder's method through functools.partial: the partial runs the method it binds."""
from functools import partial

from flask import Flask

from crm.outbound import auditor, notifier

app = Flask(__name__)


@app.post("/invoices/<customer_id>/failed")
def invoice_failed(customer_id):
    send = partial(notifier.payment_failed, customer_id)
    send("card_declined")  # expect: CIO501 "crm.outbound.Notifier.payment_failed"
    log = partial(auditor.payment_failed, customer_id)
    log("card_declined")
    partial(notifier.payment_failed, customer_id)("expired")  # expect: CIO501
    return "ok"
