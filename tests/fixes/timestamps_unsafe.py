# cio-fix: --unsafe-fixes
import time
from time import monotonic

from customerio import CustomerIO
from customerio import analytics

cio = CustomerIO(SITE, KEY)
cio.identify("u1", last_login_at=1700000000123)
cio.track("u1", "paid", timestamp=time.monotonic())
cio.track("u1", "paid", timestamp=monotonic())
analytics.track("u1", "Order Paid", timestamp=int(time.time()))
