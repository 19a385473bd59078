from fastapi import APIRouter

from rides.notify import notify_rider, notify_segment

router = APIRouter()


@router.post("/rides/{ride_id}/arriving")
def arriving(ride_id: str):
    notify_rider(load(ride_id))  # expect: CIO501
    notify_segment(load(ride_id))  # near miss: Segment
    return {"ok": True}


def load(ride_id):
    return ride_id
