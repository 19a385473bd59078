# fixes: CIO405 CIO405
# before: intended-region
"""Regions passed the ways that fail: positionally (binds to host) and as a string."""
import customerio
from customerio import APIClient, CustomerIO


def main():
    track = CustomerIO("test-site", "test-track-key", customerio.Regions.EU)
    app = APIClient("test-app-key", region="eu")
    return [track.base_url, app.url]
