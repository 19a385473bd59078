"""Routes of another module: the container's holders, and app.state set in main.py's lifespan."""
from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, Request

from app.containers import Container
from app.services import Ledger, Notifier

router = APIRouter()


@router.post("/welcome")
@inject
def welcome(user_id: str, notifier: Notifier = Depends(Provide[Container.notifier]),
            ledger: Ledger = Depends(Provide[Container.ledger])):
    notifier.welcome(user_id)  # expect: CIO501
    ledger.welcome(user_id)
    return {"ok": True}


@router.get("/seen")
async def seen(request: Request, user_id: str):
    request.app.state.crm.identify(user_id)  # expect: CIO502
    request.app.state.store.identify(user_id)
    request.app.state.cache.identify(user_id)


@router.post("/receipt")
@inject
def receipt(user_id: str, sender=Provide[Container.transactional],  # expect: CIO401
            shared=Depends(Provide[Container.shared_transactional])):
    return {"ok": True}


@inject
def not_a_handler(sender=Provide[Container.transactional]):
    return sender
