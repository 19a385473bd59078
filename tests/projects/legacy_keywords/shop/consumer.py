from shop.wiring import notifier


def on_out_for_delivery(body, parcel):
    notifier.out_for_delivery(body["customer_id"], parcel.id, parcel.eta_at_ms)  # expect: CIO101


def on_rescheduled(body, parcel):
    notifier.out_for_delivery(body["customer_id"], parcel.id, parcel.eta_at)  # near miss: seconds
