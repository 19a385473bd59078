import asyncio

from fastapi import APIRouter, Depends

from api.alerts import send_alert, send_quietly
from api.deps import CioDep, get_cio, get_shared_cio
from api.notifier import Notifier

router = APIRouter()


@router.post("/signup")
async def signup(user_id: str, cio: CioDep):
    cio.identify(user_id, email=f"{user_id}@example.com", plan="free")  # expect: CIO502


@router.post("/login")
def login(user_id: str, cio=Depends(get_cio)):  # expect: CIO401
    return {"ok": True}


@router.post("/logout")
def logout(user_id: str, cio=Depends(get_shared_cio)):
    return {"ok": True}


@router.post("/notify")
async def notify(user_id: str, notifier: Notifier = Depends()):
    notifier.send(user_id)  # expect: CIO502 "api.notifier.Notifier.send -> self.client.track()"
    await notifier.send_later(user_id)


@router.post("/alerts/{user_id}")
async def alert(user_id: str):
    await asyncio.to_thread(send_alert, user_id)  # expect: CIO401, CIO501
    await asyncio.get_running_loop().run_in_executor(None, send_alert, user_id)  # expect: CIO401, CIO501
    await asyncio.to_thread(send_quietly, user_id)
