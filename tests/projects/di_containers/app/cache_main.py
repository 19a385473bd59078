import os

from customerio import CustomerIO
from fastapi import FastAPI

api = FastAPI()
api.state.cache = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
