"""Only third-party imports; a stdlib import opens a block above them."""
from datetime import datetime, timezone

from customerio import analytics

analytics.track("1", "Order Paid", timestamp=datetime.fromtimestamp(
    1700000000, timezone.utc
))
