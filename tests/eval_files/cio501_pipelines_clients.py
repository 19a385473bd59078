# Data Pipelines clients block only when built with sync_mode (or on flush/shutdown): one sync client in a module does
# not make the others, nor the module's default client, blocking.
import os

from customerio import analytics
from fastapi import APIRouter

router = APIRouter()
analytics.write_key = os.environ["CIO_WRITE_KEY"]
audit = analytics.Client(write_key=os.environ["CIO_WRITE_KEY"], sync_mode=True)
queued = analytics.Client(write_key=os.environ["CIO_WRITE_KEY"])


@router.post("/delete")
async def delete(user_id: str):
    audit.track(user_id, "User Deleted")  # expect: CIO502
    queued.track(user_id, "User Deleted")  # queued: returns at once
    analytics.track(user_id, "User Deleted")  # the module's default client, not in sync_mode
    return {}


@router.post("/reindex")
def reindex(ids: list[str]):
    pipeline = analytics.Client(write_key=os.environ["CIO_WRITE_KEY"])  # expect: CIO401
    for uid in ids:
        pipeline.identify(user_id=uid, traits={"reindexed": True})
    queued.flush()  # expect: CIO501 -- flush waits for the queue to drain
    return {}
