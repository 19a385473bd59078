from customerio import CustomerIO

from app import settings
from app.settings import CUSTOMERIO, EVENTS, FROM_ENV

cio = CustomerIO(CUSTOMERIO["SITE_ID"], CUSTOMERIO["API_KEY"])  # expect: CIO402, CIO402
from_env = CustomerIO(FROM_ENV["SITE_ID"], FROM_ENV["API_KEY"])
also = CustomerIO(settings.CUSTOMERIO["SITE_ID"], settings.FROM_ENV["API_KEY"])  # expect: CIO402
KEYS = {"key": "4c9b87c8eae4e9729835"}
local = CustomerIO(site_id="1d7fdb608de0a0a8cd66", api_key=KEYS["key"])  # expect: CIO402, CIO402
LOCAL = {"viewed": "ItemViewed"}


def signed_up(user_id, kind):
    cio.track(user_id, EVENTS["signup"])  # expect: CIO202
    cio.track(user_id, EVENTS["paid"])
    cio.track(user_id, EVENTS[kind])
    cio.track(user_id, LOCAL["viewed"])  # expect: CIO202


from app.settings import API_KEY, SITE_ID  # noqa: E402

defaulted = CustomerIO(SITE_ID, API_KEY)  # expect: CIO402
through_module = CustomerIO(settings.SITE_ID, settings.TRACK_KEY)  # expect: CIO402
