# fixes: CIO103 CIO103 CIO103
"""Naive datetimes sent to the SDK (read as UTC); one is also compared with other naive datetimes."""
from datetime import datetime, timedelta

from customerio import CustomerIO

cio = CustomerIO("test-site", "test-track-key")


def visit(user_id, last_seen):
    cio.identify(user_id, visited_at=datetime.now())
    cio.track(user_id, "visited", {"at": datetime.now() - timedelta(hours=1)})
    seen = datetime.now()
    recent = seen - last_seen < timedelta(days=1)  # naive arithmetic keeps working
    cio.identify(user_id, last_visit=seen)
    return recent


def main():
    return [visit("u1", datetime(2023, 11, 14)), visit("u2", datetime(2023, 1, 1))]
