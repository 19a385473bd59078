from fastapi import APIRouter

from api.service import ServiceDep, get_service

router = APIRouter()


@router.post("/register")
async def register(user, svc: ServiceDep):
    svc.register(user)  # expect: CIO502 "api.service.CustomerService.register -> self.cio.identify()"


@router.post("/plan")
def change_plan(user, plan: str):
    get_service().set_plan(user.email, plan)  # expect: CIO501, CIO301 "email used as the customer id"


@router.post("/plan-by-id")
def change_plan_by_id(user, plan: str):
    return {"plan": plan, "user": user.id}
