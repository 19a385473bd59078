# CIO402 hard-coded credentials; CIO403 the wrong kind of key.
import os

from django.conf import settings
from customerio import APIClient, CustomerIO
from customerio import analytics
from customerio.analytics import Client

SITE_ID = "3f2a9c81d7e4b6051a2f"
TRACK_KEY = os.environ["CUSTOMERIO_TRACK_API_KEY"]
APP_KEY = os.getenv("CUSTOMERIO_APP_API_KEY")

hard = CustomerIO("3f2a9c81d7e4b6051a2f", "9b8c7d6e5f4a3b2c1d0e")  # expect: CIO402, CIO402
via_constant = CustomerIO(SITE_ID, TRACK_KEY)  # expect: CIO402
api = APIClient(key="sk_live_4f5e6d7c8b9a0f1e2d3c4b5a")  # expect: CIO402
pipes = Client("pk_us_1234567890abcdef")  # expect: CIO402
analytics.write_key = "pk_us_1234567890abcdef"  # expect: CIO402
fallback = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ.get("CUSTOMERIO_TRACK_API_KEY", "9f8e7d6c5b4a39281706"))  # expect: CIO402@100 "as the environment variable's default"

wrong_track = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_APP_API_KEY"])  # expect: CIO403
wrong_track_kw = CustomerIO(site_id=settings.CIO_SITE_ID, api_key=settings.CIO_APP_KEY)  # expect: CIO403
wrong_app = APIClient(os.getenv("CUSTOMERIO_TRACK_API_KEY"))  # expect: CIO403
wrong_app_site = APIClient(key=settings.CUSTOMERIO_SITE_ID)  # expect: CIO403
wrong_app_const = APIClient(TRACK_KEY)  # expect: CIO403

# -- near misses ---------------------------------------------------------------------------------------------
from_env = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_TRACK_API_KEY"])
from_settings = CustomerIO(settings.CIO_SITE_ID, settings.CIO_API_KEY)
placeholder = CustomerIO("your-site-id", "YOUR_API_KEY")
empty = CustomerIO("", "")
right_app = APIClient(APP_KEY)
right_app_env = APIClient(os.environ["CIO_APP_API_KEY"])
undecided = APIClient(settings.CUSTOMERIO_KEY)  # the name does not say which key
stripe_client = StripeClient("sk_live_4f5e6d7c8b9a0f1e2d3c4b5a")
dev_default = CustomerIO(os.getenv("CUSTOMERIO_SITE_ID", "dev"), os.getenv("CUSTOMERIO_TRACK_API_KEY", "changeme"))
no_default = CustomerIO(os.environ.get("CUSTOMERIO_SITE_ID"), os.environ.get("CUSTOMERIO_TRACK_API_KEY", ""))


class Config:
    """Settings as class attributes (Flask's from_object style)."""

    CIO_SITE_ID = "5e1d0c9a7b3f2e8d4c6a"
    CIO_API_KEY = "b7c3e9a1d5f2048c6e3a"
    CIO_REGION = "eu"


config = Config()
from_config = CustomerIO(Config.CIO_SITE_ID, config.CIO_API_KEY)  # expect: CIO402, CIO402
eu_client = CustomerIO(Config.CIO_SITE_ID, config.CIO_API_KEY, region=config.CIO_REGION)  # expect: CIO402, CIO402, CIO405


def create_app(settings=Config):
    return CustomerIO(settings.CIO_SITE_ID, settings.CIO_API_KEY)  # expect: CIO402, CIO402


def create_other(settings=Config):
    settings = load_settings()
    return CustomerIO(settings.CIO_SITE_ID, settings.CIO_API_KEY)


def create_unset(settings=None):
    return CustomerIO(settings.CIO_SITE_ID, settings.CIO_API_KEY)


FALLBACK_KEY = "b7c3e9a1d5f2048c6e3a99f1"
PLACEHOLDER_KEY = "changeme"
constant_default = CustomerIO(os.environ["S"], os.getenv("CUSTOMERIO_TRACK_API_KEY", FALLBACK_KEY))  # expect: CIO402
placeholder_default = CustomerIO(os.environ["S"], os.getenv("CUSTOMERIO_TRACK_API_KEY", PLACEHOLDER_KEY))
