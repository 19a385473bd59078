# CIO404 2.x-style track data; CIO405 region misuse.
import os

import customerio
from customerio import APIClient, CustomerIO, Regions
from customerio.regions import Regions as R

REGION = Regions.EU
cio = CustomerIO(os.environ["S"], os.environ["K"], region=Regions.EU)


def track_calls(user):
    cio.track(user.id, "plan_changed", plan="pro")  # expect: CIO404
    cio.track(customer_id=user.id, name="plan_changed", plan="pro", seats=3)  # expect: CIO404
    cio.track_anonymous("anon-1", "invite_sent", recipient="a@b.co")  # expect: CIO404


def track_near_misses(user):
    cio.track(user.id, "plan_changed", data={"plan": "pro"})
    cio.track(user.id, "plan_changed", {"plan": "pro"}, None, 1700000000)
    cio.track(customer_id=user.id, name="plan_changed", data={}, id="01HZX", timestamp=1700000000)
    cio.pageview(user.id, "/pricing", referrer="ads")
    cio.backfill(user.id, "plan_changed", 1700000000, plan="pro")
    cio.add_device(user.id, "tok", "ios", last_used=1700000000)
    cio.identify(user.id, plan="pro")
    mixpanel.track(user.id, "plan_changed", plan="pro")


eu_positional = CustomerIO(os.environ["S"], os.environ["K"], Regions.EU)  # expect: CIO405
eu_positional_alias = customerio.CustomerIO(os.environ["S"], os.environ["K"], R.EU)  # expect: CIO405
eu_positional_const = CustomerIO(os.environ["S"], os.environ["K"], REGION)  # expect: CIO405
app_positional = APIClient(os.environ["A"], Regions.EU)  # expect: CIO405
string_region = CustomerIO(os.environ["S"], os.environ["K"], region="eu")  # expect: CIO405
env_region = APIClient(os.environ["A"], region=os.environ["CIO_REGION"])  # expect: CIO405

right = CustomerIO(os.environ["S"], os.environ["K"], region=Regions.EU)
chosen = "eu" if os.environ.get("EU") else "us"
chosen_string = CustomerIO(os.environ["S"], os.environ["K"], region=chosen)  # expect: CIO405
chosen_region = CustomerIO(os.environ["S"], os.environ["K"], region=Regions.EU if os.environ.get("EU") else Regions.US)
right_app = APIClient(os.environ["A"], region=R.EU)
host_positional = CustomerIO(os.environ["S"], os.environ["K"], "track-eu.customer.io")
other_sdk = boto3.client("s3", "eu-west-1", region="eu")
