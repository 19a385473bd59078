class FakeContact:
    def refresh_profile(self):
        return None
