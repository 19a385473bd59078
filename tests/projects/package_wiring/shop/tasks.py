from datetime import datetime

from shop.audit import log
from shop.crm import tracker
from shop.notifications import emit_order
from shop.track import notifier


async def export_finished(ctx, account_id, rows):
    tracker.emit(account_id, "export_finished", rows=rows)  # expect: CIO502


async def sync_last_seen(ctx, account_id):
    tracker.seen(account_id, datetime.now())  # expect: CIO502, CIO103


async def audit(ctx, account_id):
    log.write(account_id, "audited")  # near miss: the package does not rebind its submodule


async def plan_changed(ctx, account_id):
    notifier.plan_changed(account_id, "pro")  # expect: CIO502


def order_shipped(ctx, account_id, status):
    emit_order(account_id, "order_" + status)  # expect: CIO201
    emit_order(account_id, "order_shipped")  # near miss: a fixed name
