# cio-fix: --unsafe-fixes
import os

from django.conf import settings
from customerio import APIClient, CustomerIO

track = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_APP_API_KEY"])
app_client = APIClient(settings.CIO_TRACK_KEY)
