# options: catalog=tests/projects/forwarded_keys/cio-catalog.toml
import os
from contextlib import contextmanager

from customerio import CustomerIO


class Crm(CustomerIO):
    def touch(self, cid, seen_at):
        return self.identify(cid, last_seen_at=seen_at)

    def usage(self, cid, units, metered_at):
        return self.track(cid, "usage_recorded", data={"units": units, "metered_at": metered_at})

    def record(self, cid, name, **data):
        return self.track(cid, name, data=data)

    def tag(self, cid, label):
        return self.identify(cid, labelled_as=label)  # expect: CIO704


crm = Crm(os.environ["CIO_SITE_ID"], os.environ["CIO_TRACK_API_KEY"])


def note(cid, when):
    crm.identify(cid, last_seen_at=when)


@contextmanager
def session():
    yield crm
