from app.events import audit_order, emit_kw, emit_order, relay, relay_remote


def paid(user, order):
    emit_order(user.id, "OrderPaid")  # expect: CIO202
    emit_order(user.email, "order_paid")  # expect: CIO301
    emit_kw(who=user.email, what="order_paid")  # expect: CIO301
    relay(user.id, "order_paid", total=order.total)  # expect: CIO404
    relay(user.id, "order_paid", data={"total": order.total})  # near miss: data passed as data
    audit_order(user.email, "OrderPaid")  # near miss: the chain ends in a log line


def refunded(user, order):
    relay_remote(user.id, "order_refunded", total=order.total)  # expect: CIO404
