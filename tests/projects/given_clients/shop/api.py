"""Handlers given holders by type (a dependency injector builds them): what they hold is what the project passes."""
from datetime import datetime, timezone

from fastapi import FastAPI

from shop.services import Either, Notifier, Reporter

app = FastAPI()


@app.post("/remind")
def remind(user_id: str, notifier: Notifier, reporter: Reporter, either: Either):
    notifier.reminder(user_id, "cart")  # expect: CIO501
    reporter.reminder(user_id, "cart")
    either.reminder(user_id, "cart")


@app.post("/seen")
async def seen(user_id: str, notifier: Notifier, reporter: Reporter):
    notifier.touch(user_id, datetime.now())  # expect: CIO103, CIO502
    notifier.touch(user_id, datetime.now(timezone.utc))  # expect: CIO502
    reporter.touch(user_id, datetime.now())  # given Segment: its own business
