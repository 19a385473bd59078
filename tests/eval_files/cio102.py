# CIO102: non-epoch clocks used as Customer.io timestamps.
import time
from time import monotonic, perf_counter

from customerio import CustomerIO

cio = CustomerIO("site", "key")


def positives(user):
    cio.track(user.id, "logged_in", timestamp=time.monotonic())  # expect: CIO102
    cio.track(user.id, "logged_in", timestamp=int(perf_counter()))  # expect: CIO102
    cio.identify(user.id, last_seen_at=time.process_time())  # expect: CIO102
    cio.track(user.id, "logged_in", {"at": monotonic() * 1000})  # expect: CIO102
    due = time.perf_counter() + 86400  # a day after a clock that starts near boot: still 1970
    cio.identify(user.id, next_retry_at=due)  # expect: CIO102


def near_misses(user):
    start = time.monotonic()
    do_work()
    elapsed = time.monotonic() - start
    cio.track(user.id, "job_done", {"seconds": elapsed})
    cio.track(user.id, "job_done", {"budget": time.monotonic() + 30})  # not a time-of-day key
    cio.identify(user.id, uptime=time.perf_counter())  # not a time-of-day key
    metrics.timing("work", time.perf_counter())
