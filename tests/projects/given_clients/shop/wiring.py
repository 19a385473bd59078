import os

import segment.analytics as segment
from customerio import APIClient, CustomerIO

from shop.services import Either, Legacy, Notifier, Renewals, Reporter, SegmentLegacy, Typed

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
notifier = Notifier(cio)
reporter = Reporter(segment)
either_track = Either(cio)
either_app = Either(client=APIClient(os.environ["CIO_APP_KEY"]))
typed = Typed(cio)
legacy = Legacy(cio)
segment_legacy = SegmentLegacy(segment)
renewals = Renewals(cio)
