class CrmTracker:
    def __init__(self, client):
        self.client = client

    def emit(self, account_id, name, **fields):
        self.client.track(account_id, name, data=fields)

    def seen(self, account_id, seen_at):
        self.client.identify(account_id, last_seen_at=seen_at)
