"""One client per workspace, picked by region; tables that look alike and hold no blocking client."""
import logging
import os

from customerio import CustomerIO

from flake8_cio.runtime import get_client

CLIENTS = {
    "us": CustomerIO(os.environ["CIO_US_SITE"], os.environ["CIO_US_KEY"]),
    "eu": CustomerIO(os.environ["CIO_EU_SITE"], os.environ["CIO_EU_KEY"]),
}
QUEUED = {"us": get_client(os.environ["CIO_US_SITE"], os.environ["CIO_US_KEY"])}
MIXED = {"us": CustomerIO(os.environ["CIO_US_SITE"], os.environ["CIO_US_KEY"]), "log": logging.getLogger("shop")}
REGIONS = {"us": "https://track.customer.io", "eu": "https://track-eu.customer.io"}
