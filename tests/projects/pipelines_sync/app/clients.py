import os

from customerio import analytics

reporting = analytics.Client(os.environ["CIO_WRITE_KEY"], sync_mode=True)
events = analytics.Client(os.environ["CIO_WRITE_KEY"])
