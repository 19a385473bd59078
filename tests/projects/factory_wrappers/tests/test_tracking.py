from unittest import mock

from crm import tracking


def test_many_events():
    with mock.patch.object(tracking, "cio") as cio:
        for i in range(500):
            tracking.track_event(f"u{i}", "clicked")
    assert cio.track.call_count == 500
