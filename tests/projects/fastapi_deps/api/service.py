"""A service layer injected through an Annotated alias, and a guarded getter."""
from typing import Annotated

from fastapi import Depends

from api.deps import get_shared_cio


class CustomerService:
    def __init__(self):
        self.cio = get_shared_cio()

    def register(self, user):
        self.cio.identify(user.id, email=user.email)

    def set_plan(self, customer_id, plan):
        self.cio.identify(customer_id, plan=plan)


_service = None


def get_service():
    global _service
    if _service is None:
        _service = CustomerService()
    return _service


ServiceDep = Annotated[CustomerService, Depends(get_service)]
