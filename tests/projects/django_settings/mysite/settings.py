"""The module django.conf.settings reads here (manage.py names it)."""
import os

DEBUG = False
CUSTOMERIO_SITE_ID = "3f2a9c81d7e4b6051a2f"
CUSTOMERIO_API_KEY = os.environ.get("CUSTOMERIO_API_KEY", "9b8c7d6e5f4a3b2c1d0e")
CUSTOMERIO_APP_KEY = os.environ["CUSTOMERIO_APP_KEY"]  # a name equal to its key: once sent the summary into endless recursion
CUSTOMERIO_TEST_KEY = "your-api-key"
CIO_REGION = os.environ.get("CIO_REGION", "eu")

from customerio import CustomerIO, Regions  # noqa: E402

CRM = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_API_KEY"], region=Regions.EU)
