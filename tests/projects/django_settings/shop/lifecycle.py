class Lifecycle:
    def __init__(self, client):
        self.client = client

    def on_booked(self, booking):
        self.client.track(booking.customer_id, "booking_made", {"room": booking.room})
