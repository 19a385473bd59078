"""A handler named `main`, as a script's entry point would be: `(event, context)` makes it a Lambda handler, which
runs per invocation, not once."""
import os

from customerio import APIClient, Regions


def _recipients(event):
    return event["detail"]["bounce"]["bouncedRecipients"]


def main(event, context):
    api = APIClient(os.environ["CIO_APP_API_KEY"], region=Regions.EU)  # expect: CIO401 "per invocation (in Lambda handler `main`)"
    return {"bounced": len(_recipients(event)), "api": api}
