import os

from customerio import APIClient, CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
api = APIClient(os.environ["CIO_APP_KEY"])
