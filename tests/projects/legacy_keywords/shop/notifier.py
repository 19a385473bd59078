class Notifier:
    def __init__(self, client):
        self.client = client

    def out_for_delivery(self, customer_id, parcel_id, eta_at):
        self.client.track(customer_id, "out_for_delivery", parcel_id=parcel_id, eta_at=eta_at)
