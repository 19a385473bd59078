# options: catalog=tests/projects/forwarded_keys/cio-catalog.toml
import time
from datetime import datetime, timezone

from crm.client import crm, note, session


def sync(account):
    crm.touch(account.id, datetime.now())  # expect: CIO103
    crm.usage(account.id, 3, account.metered_at_ms)  # expect: CIO101
    note(account.id, time.time() * 1000)  # expect: CIO101
    crm.touch(account.id, datetime.now(timezone.utc))  # near miss: aware
    crm.usage(account.id, 3, int(time.time()))  # near miss: seconds
    crm.tag(account.id, "vip")  # near miss: the undeclared attribute is the wrapper's text, reported there
    note(account.id, account.last_seen_at)  # near miss: nothing says its unit


def invoices(account):
    crm.record(account.id, "invoice_paid", invoice_id="i1", amount=3)  # near miss: the keywords are the data
    crm.record(account.id, "invoice_paid", amount=3)  # expect: CIO703
    crm.record(account.id, "invoice_paid", invoice_id="i1", totl=3)  # expect: CIO702
    with session() as tracker:
        tracker.track(account.id, "UsageRecorded")  # expect: CIO202, CIO701
