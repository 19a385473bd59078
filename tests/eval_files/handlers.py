# Request handlers registered by call or hook, not only by route decorators (CIO501), and look-alikes that are not.
import atexit
import os
import threading

from aiohttp import web
from customerio import CustomerIO
from django.utils.deprecation import MiddlewareMixin
from flask import Flask, current_app
from starlette.applications import Starlette
from starlette.routing import Route

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
app = Flask(__name__)


def signup():
    cio.track("1", "signed_up")  # expect: CIO501


app.add_url_rule("/signup", "signup", signup)


def login():
    cio.track("1", "logged_in")  # expect: CIO501


app.add_url_rule("/login", view_func=login)


@app.before_request
def seen():
    cio.track("1", "seen")  # expect: CIO501


@app.teardown_appcontext
def closed(error):
    cio.track("1", "context_closed")


async def homepage(request):
    cio.identify("1", visited=True)  # expect: CIO502


starlette = Starlette(routes=[Route("/", homepage)])


def order(request):
    cio.track("1", "ordered")  # expect: CIO501


aio = web.Application()
aio.router.add_post("/order", order)


def flush_on_exit():
    cio.track("1", "process_exited")


def background():
    cio.track("1", "background_ran")


atexit.register(flush_on_exit)
threading.Thread(target=background).start()


@app.post("/extension")
def through_the_extension_registry():
    current_app.extensions["cio"].track("1", "clicked")  # expect: CIO501 "`current_app.extensions['cio'].track()`"
    current_app.extensions["mail"].send("1", "clicked")  # another extension
    current_app.extensions["cio"].get("settings")  # not a Customer.io method
    current_app.config["CIO"].track("1", "clicked")  # configuration, not the extension registry
    return "ok"


class LastSeenMiddleware:
    """Django middleware: runs inside every request."""

    def __init__(self, get_response):
        self.get_response = get_response
        cio.track("boot", "middleware_loaded")  # once, when Django builds the middleware chain

    def __call__(self, request):
        response = self.get_response(request)
        cio.identify(request.user.id, last_seen_at=1700000000)  # expect: CIO501
        return response

    def process_exception(self, request, exception):
        cio.track(request.user.id, "server_error")  # expect: CIO501


class OldStyleMiddleware(MiddlewareMixin):
    def process_request(self, request):
        cio.track(request.user.id, "requested")  # expect: CIO501


class Pipeline:
    """Not middleware: a callable object built with something else."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, request):
        cio.track(request.user.id, "piped")
