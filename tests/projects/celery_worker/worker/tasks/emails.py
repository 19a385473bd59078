from concurrent.futures import ThreadPoolExecutor

from celery import shared_task

from worker.messaging import Messenger, client_for, get_cio

messenger = Messenger()


@shared_task
def send_receipt(user_id, order_id):
    Messenger().event(user_id, "receipt_sent", {"order_id": order_id})  # expect: CIO401


@shared_task
def send_digest(user_ids):
    with ThreadPoolExecutor(8) as executor:
        for user_id in user_ids:
            executor.submit(messenger.event, user_id, "digest_sent")  # expect: CIO601


@shared_task
def per_tenant(tenant, user_id):
    client_for(tenant).track(user_id, "tenant_seen")  # expect: CIO401


@shared_task
def pair():
    for name in ["nightly", "weekly"]:
        messenger.event("ops", name)



@shared_task
def announce(user_id):
    messenger.event(user_id, "Feature Announced")  # expect: CIO202 "not snake_case"


@shared_task
def shared_client(user_id):
    get_cio().track(user_id, "shared_seen")
