# CIO103: naive datetimes to the customerio SDK; numbers to the Data Pipelines client.
import datetime as dt
import os
import time
from datetime import datetime, timedelta, timezone

import customerio.analytics
from customerio import CustomerIO
from customerio import analytics
from customerio.analytics import Client

cio = CustomerIO("site", "key")
pipelines = Client(os.environ["CIO_WRITE_KEY"])


def positives(user, ts):
    cio.identify(user.id, created_at=datetime.now())  # expect: CIO103
    cio.track(user.id, "trial_started", timestamp=dt.datetime.now())  # expect: CIO103
    cio.track(user.id, "trial_started", {"ends_at": datetime.now() + timedelta(days=14)})  # expect: CIO103
    cio.identify(user.id, renewed_at=datetime.fromtimestamp(ts))  # expect: CIO103
    analytics.track(user.id, "Trial Started", timestamp=int(time.time()))  # expect: CIO103
    pipelines.identify(user.id, {"plan": "pro"}, timestamp=1700000000)  # expect: CIO103
    customerio.analytics.track(user.id, "Trial Started", timestamp=time.time())  # expect: CIO103


def near_misses(user, ts):
    cio.identify(user.id, created_at=datetime.now(timezone.utc))
    cio.identify(user.id, created_at=datetime.now(tz=timezone.utc))
    cio.identify(user.id, created_at=datetime.utcnow())  # the SDK reads naive values as UTC: this is right
    cio.identify(user.id, renewed_at=datetime.fromtimestamp(ts, timezone.utc))
    analytics.track(user.id, "Trial Started", timestamp=datetime.now(timezone.utc))
    analytics.track(user.id, "Trial Started", timestamp=datetime.now())  # the CDP client handles a naive "now"
    analytics.track(user.id, "Trial Started", {"at": 1700000000})  # properties, not the timestamp
    log.info("at %s", datetime.now())
