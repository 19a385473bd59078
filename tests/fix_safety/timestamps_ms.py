# fixes: CIO101 CIO101 CIO101 CIO101 CIO101
# compare: seconds
"""A sync job that sends millisecond timestamps as attributes and event data (created_at and timestamp= would be
rejected with a 400: the bug showing); one value is also stored as milliseconds."""
import time

from customerio import CustomerIO

cio = CustomerIO("test-site", "test-track-key")
stored = []


def sync(user_id):
    cio.identify(user_id, signed_up_at=int(time.time() * 1000), seen_at=time.time_ns() // 10**6)
    cio.track(user_id, "synced", data={"at": time.time_ns(), "sent_at": int(1000 * time.time())})
    now_ms = int(time.time() * 1000)
    stored.append(now_ms)  # the millisecond column keeps milliseconds
    cio.identify(user_id, updated_at=now_ms)


def main():
    sync("u1")
    return stored
