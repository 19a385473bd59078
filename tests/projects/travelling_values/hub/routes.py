import time

from aiohttp import web

from hub.clients import SERVICES, Services, hub_client, services
from hub.services import RideNotifier
from hub.services.notifier import Integrations

routes = web.RouteTableDef()


@routes.post("/rides/{rider}/cancel")
async def cancel(request):
    RideNotifier(request.app["cio"]).cancelled(request.ride)  # expect: CIO502
    RideNotifier(request.app["cache"]).cancelled(request.ride)
    return web.json_response({})


@routes.post("/rides/{rider}/book")
async def book(request):
    hub_client().ride_booked(request.match_info["rider"])  # expect: CIO502
    client = hub_client()
    client.ride_booked(request.match_info["rider"])  # expect: CIO502
    services().metrics.ride_booked(request.match_info["rider"])
    return web.json_response({})


async def seen(rider_id, deps: Services):
    services().tracker.identify(rider_id, city="Lyon")  # expect: CIO502
    SERVICES.tracker.identify(rider_id, city="Lyon")  # expect: CIO502
    deps.tracker.identify(rider_id, city="Lyon")  # expect: CIO502
    deps.metrics.ride_booked(rider_id)


def stamp(request, rider_id):
    started = time.time() * 1e3
    Integrations(request.app).tracker.identify(rider_id, seen_at=int(started))  # expect: CIO101
    elapsed = time.time() * 1e3 - started
    Integrations(request.app).cache.identify(rider_id, seen_at=int(started))
    Integrations(request.app).tracker.identify(rider_id, took_ms=int(elapsed))
