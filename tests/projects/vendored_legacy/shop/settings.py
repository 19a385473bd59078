import os

CIO_SITE_ID = os.environ.get("CIO_SITE_ID", "")
CIO_API_KEY = os.environ.get("CIO_API_KEY", "")
