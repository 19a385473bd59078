from redis import Redis
from rq import Queue

from billing.jobs import send_invoice

queue = Queue(connection=Redis())


def pay(invoice_id):
    queue.enqueue(send_invoice, invoice_id)
    queue.enqueue_call(func="billing.jobs.send_by_name", args=(invoice_id,))
    queue.enqueue(print, "build_client")
