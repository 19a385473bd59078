# CIO501/CIO502: blocking calls in request handlers and async code (FastAPI, Starlette, aiohttp, Sanic, Litestar).
import asyncio
from functools import partial
from typing import Optional

from aiohttp import web
from asgiref.sync import sync_to_async
from customerio import CustomerIO
from customerio import analytics
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI
from litestar import post

from flake8_cio.runtime import get_client, nonblocking

app = FastAPI()
router = APIRouter()
routes = web.RouteTableDef()
cio = CustomerIO("site", "key")


def notify(user_id):
    cio.track(user_id, "signed_up")


@app.post("/signup")
async def signup(user_id: str):
    cio.identify(user_id)  # expect: CIO502
    notify(user_id)  # expect: CIO502
    return {}


@router.get("/items/{item_id}")
def read_item(item_id: str, client: Optional[CustomerIO] = Depends(get_cio)):
    client.track(item_id, "item_viewed")  # expect: CIO501
    return {}


@routes.post("/hook")
async def hook(request):
    await asyncio.to_thread(cio.track, "1", "hooked")  # expect: CIO501
    return web.json_response({})


@post("/litestar")
async def litestar_handler(data: dict) -> None:
    analytics.flush()  # expect: CIO502


async def worker_job(cio: CustomerIO):
    cio.track("1", "job_done")  # expect: CIO502


@app.websocket("/ws")
async def ws(websocket):
    request_state.app.state.cio.identify("1")  # expect: CIO502


# -- near misses ------------------------------------------------------------------------------------------------
@app.post("/background")
async def background(user_id: str, tasks: BackgroundTasks):
    tasks.add_task(cio.track, user_id, "signed_up")  # deferred: runs after the response
    tasks.add_task(notify, user_id)
    asyncio.get_running_loop().run_in_executor(None, cio.identify, user_id)  # fire and forget
    nonblocking(cio).track(user_id, "signed_up")
    get_client().identify(user_id)
    analytics.track(user_id, "Signed Up")  # the Data Pipelines client queues
    return {}


@app.get("/lambda")
def deferred_lambda(user_id: str):
    executor.submit(lambda: cio.identify(user_id))
    return {}


def plain_function(user_id):
    cio.identify(user_id)


async def other_sdk(user_id):
    segment.track(user_id, "signed_up")
    await shipping_api.track(user_id)
    mixpanel_client.identify(user_id)


@app.post("/offloaded")
async def offloaded(user_id: str):
    await sync_to_async(cio.track)(user_id, "checked_out")  # expect: CIO501 "event loop free"
    await asyncio.get_running_loop().run_in_executor(None, partial(cio.track, user_id, "paid"))  # expect: CIO501
    asyncio.get_running_loop().run_in_executor(None, partial(cio.track, user_id, "fired"))  # not awaited: fine
    await asyncio.to_thread(print, "done")


@app.delete("/users/{user_id}")
async def forget(user_id: str):
    loop = asyncio.get_running_loop()
    loop.call_soon(cio.delete, user_id)  # expect: CIO502 "scheduled on the event loop by `call_soon()`"
    loop.call_later(5, cio.suppress, user_id)  # expect: CIO502
    loop.call_soon(print, user_id)  # not Customer.io
    loop.call_later(30, lambda: cio.track(user_id, "forgotten"))  # expect: CIO502 "`lambda: cio.track(user_id, 'forgotten')` scheduled on the event loop by `call_later()`"
    loop.call_later(30, lambda: print(user_id, "forgotten"))  # not Customer.io
    loop.call_soon(lambda: get_client().delete(user_id))  # the runtime client queues
    loop.call_soon(lambda: loop.run_in_executor(None, cio.delete, user_id))  # the lambda hands it to a thread
    loop.call_soon(get_client().delete, user_id)  # the runtime client queues
    await loop.run_in_executor(None, cio.delete, user_id)  # expect: CIO501 -- a worker thread; the response still waits
    return {}


class AsyncTracker:
    """Another library's async client under a client-like name: awaited, so never the blocking SDK."""

    def __init__(self, site_id, api_key):
        self.customerio = AsyncCustomerIO(site_id, api_key)

    async def signed_up(self, user_id):
        await self.customerio.track(user_id, "signed_up")
        await customerio_client.identify(user_id)


@app.post("/beta")
async def beta(emails: list):
    for address in emails[:5]:  # at most five: no bulk loop
        await asyncio.to_thread(cio.identify, address)  # expect: CIO501
