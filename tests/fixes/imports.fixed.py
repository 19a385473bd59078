"""Imports a fix adds never shadow the module's own names (aliased or qualified) and go where isort keeps them."""
import logging
from datetime import datetime
from datetime import timezone as datetime_timezone

import flake8_cio.runtime
from customerio import CustomerIO
from django.utils import timezone
from flask import Flask

app = Flask(__name__)
cio = CustomerIO(SITE, KEY)


def nonblocking(job):  # the module's own helper keeps its name
    return job


@app.route("/seen")
def seen(user):
    logging.info("seen at %s", timezone.now())
    flake8_cio.runtime.nonblocking(cio).identify(user.id, last_seen=datetime.now(datetime_timezone.utc))
