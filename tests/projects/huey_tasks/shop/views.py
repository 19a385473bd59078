from shop.tasks import send_now, send_receipt, send_welcome


def signup(request):
    send_welcome(request.user.pk)  # near miss: a huey task called from a view is queued, not run
    send_now(request.user.pk)  # expect: CIO401, CIO501


def paid(request, order_id):
    send_receipt(order_id)  # near miss: queued
    send_receipt.call_local(order_id)  # near miss: not followed (huey's inline call), no promise either way
