"""A small Flask shop with the Customer.io mistakes flake8-cio finds (run: flake8 --select CIO examples/)."""
import os
import time
from datetime import datetime

from customerio import CustomerIO, Regions
from flask import Flask, request

app = Flask(__name__)
cio = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_TRACK_API_KEY"], Regions.EU)


@app.post("/signup")
def signup():
    form = request.form
    cio.identify(form["email"], plan=form["plan"], created_at=int(time.time() * 1000))
    cio.track(form["email"], "UserSignedUp", plan=form["plan"])
    return "welcome"


@app.post("/products/<product_id>/view")
def view_product(product_id):
    cio.track(request.args["user_id"], f"viewed_{product_id}", timestamp=datetime.now())
    return "ok"


def import_customers(rows):
    for row in rows:
        cio.identify(row["id"], plan=row["plan"])
