import time

from customerio import CustomerIO


def test_track_sends_milliseconds_as_given():
    cio = CustomerIO("site", "key")
    cio.track("user@example.com", "Signed Up " + "x", timestamp=int(time.time() * 1000))
