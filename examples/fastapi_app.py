"""A FastAPI service that blocks its event loop on Customer.io."""
import os

from customerio import APIClient, CustomerIO, SendEmailRequest
from fastapi import FastAPI

app = FastAPI()


def tracker():
    return CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_TRACK_API_KEY"])


@app.post("/orders/{order_id}")
async def place_order(order_id: str, user_id: str):
    tracker().track(user_id, "order_placed", data={"order_id": order_id})
    api = APIClient(os.environ["CUSTOMERIO_TRACK_API_KEY"])
    api.send_email(SendEmailRequest(transactional_message_id="receipt", identifiers={"id": user_id}))
    return {"ok": True}
