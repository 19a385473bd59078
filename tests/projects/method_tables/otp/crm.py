import os

from customerio import APIClient, Regions
from segment import analytics

api = APIClient(os.environ["CIO_APP_API_KEY"], region=Regions.EU)
SENDERS = {"push": api.send_push, "sms": api.send_sms}
SEGMENT = {"track": analytics.track, "identify": analytics.identify}


def log_only(request):
    return request


PLAIN = {"log": log_only}
