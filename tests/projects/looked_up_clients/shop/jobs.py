from shop.holder import client, fresh_client


async def send_receipt(ctx, order_id):
    ctx["cio"].track(order_id, "receipt_sent")  # expect: CIO502
    ctx["redis"].set(order_id, "sent")


def sync_orders(orders):
    handlers = {"track": client().track, "log": print}
    for order in orders:
        handlers["track"](order.customer_id, "OrderSynced")  # expect: CIO202, CIO601
        handlers["log"](order.customer_id, "OrderSynced")


def receipts(order_ids):
    for order_id in order_ids:
        client().identify(order_id, receipt="viewed")  # expect: CIO601
        fresh_client().identify(order_id, receipt="viewed")  # expect: CIO401, CIO601


def weekly(orders):
    from shop.holder import ClientHolder

    for order in orders:
        ClientHolder.get().track(order.customer_id, "weekly_sent")  # expect: CIO601
    ClientHolder.get().batch([{"type": "person", "identifiers": {"id": o.customer_id}, "action": "event",
                               "name": "weekly_sent"} for o in orders])
