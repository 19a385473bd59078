from fastapi import APIRouter

from app import customerio
from app.customerio import track

router = APIRouter()


@router.post("/signup")
async def signup(user_id: str):
    await customerio.identify(user_id, plan="free")
    await track(user_id, "signed_up", plan="free")
