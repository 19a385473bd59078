"""Another vendor's wrapper: never Customer.io."""
import analytics as segment


class SegmentService:
    def __init__(self):
        self.client = segment.Client("write-key")

    def track(self, user_id, event):
        self.client.track(user_id, event)
