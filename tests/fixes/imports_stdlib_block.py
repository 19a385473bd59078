"""Only third-party imports; a stdlib import opens a block above them."""
from customerio import analytics

analytics.track("1", "Order Paid", timestamp=1700000000)
