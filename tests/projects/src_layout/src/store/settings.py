import os
SITE_ID = os.environ.get("CIO_SITE_ID", "")
API_KEY = os.environ.get("CIO_API_KEY", "")
