"""Settings kept in dict literals: credentials and event names under fixed keys."""
import os

CUSTOMERIO = {"SITE_ID": "3f2a9c81d7e4b6051a2f", "API_KEY": "9b8c7d6e5f4a3b2c1d0e", "REGION": "eu"}
FROM_ENV = {"SITE_ID": os.environ.get("CIO_SITE_ID", ""), "API_KEY": os.environ.get("CIO_API_KEY", "")}
EVENTS = {"signup": "SignedUp", "paid": "order_paid"}
SITE_ID = os.environ.get("CIO_SITE_ID", "7e1d2c3b4a5f6e7d8c9b")
API_KEY = os.getenv("CIO_API_KEY", "your-api-key")  # a placeholder default: fine
TRACK_KEY = os.environ["CIO_TRACK_KEY"]  # no default: fine
