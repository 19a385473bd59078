import os
from contextlib import asynccontextmanager

from customerio import CustomerIO
from fastapi import FastAPI

from app.routes import router
from app.services import Ledger


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.crm = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
    app.state.store = Ledger(None)
    yield
    app.state.crm.close()


app = FastAPI(lifespan=lifespan)
app.include_router(router)
