# cio-fix: --unsafe-fixes
"""CIO102 on a from-import: `time` comes in, `monotonic` goes."""
from time import monotonic

from customerio import CustomerIO

cio = CustomerIO(S, K)
cio.track("1", "x", timestamp=monotonic())
