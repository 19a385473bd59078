from fastapi import FastAPI

from app import clients
from app.clients import events, reporting

api = FastAPI()


@api.post("/report")
async def report(user_id: str):
    reporting.track(user_id, "Report Viewed")  # expect: CIO502
    clients.reporting.identify(user_id, {"plan": "pro"})  # expect: CIO502
    events.track(user_id, "Report Viewed")  # queued: silent
