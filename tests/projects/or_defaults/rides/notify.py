from rides.clients import segment, tracking


def notify_rider(ride, client=None):
    client = client or tracking()  # the caller's client, else the shared one
    client.track(ride.rider_id, "driver_arriving")


def notify_segment(ride, sink=None):
    sink = sink or segment()
    sink.track(ride.rider_id, "driver_arriving")
