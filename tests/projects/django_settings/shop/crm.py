from customerio import APIClient, CustomerIO, Regions
from django.conf import settings

cio = CustomerIO(settings.CUSTOMERIO_SITE_ID, settings.CUSTOMERIO_API_KEY)  # expect: CIO402, CIO402
eu = CustomerIO(settings.CUSTOMERIO_SITE_ID, settings.CUSTOMERIO_TEST_KEY, region=settings.CIO_REGION)  # expect: CIO402, CIO405
api = APIClient(settings.CUSTOMERIO_APP_KEY, region=Regions.EU)  # near miss: read from the environment
debug = settings.DEBUG
