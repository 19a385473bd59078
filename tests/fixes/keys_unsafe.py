# cio-fix: --unsafe-fixes
import os

from django.conf import settings
from customerio import APIClient, CustomerIO

track = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_APP_API_KEY"])
app_client = APIClient(os.environ["CUSTOMERIO_TRACK_API_KEY"])
other = APIClient(settings.CIO_TRACK_KEY)  # no CIO_APP_KEY named anywhere: it may not exist, not fixed
