from celery import shared_task

from shop.services.analytics import cio
from shop.utils.clock import to_ms


@shared_task
def sync_customer(user_id, created, plan):
    cio.identify(user_id, created_at=to_ms(created), plan=plan)  # expect: CIO101 "`to_ms()` returns milliseconds"
