# cio-fix: --unsafe-fixes
import time

from customerio import CustomerIO
from customerio import analytics
from datetime import datetime, timezone

cio = CustomerIO(SITE, KEY)
cio.identify("u1", last_login_at=1700000000)
cio.track("u1", "paid", timestamp=time.time())
cio.track("u1", "paid", timestamp=time.time())
analytics.track("u1", "Order Paid", timestamp=datetime.fromtimestamp(int(time.time()), timezone.utc))
