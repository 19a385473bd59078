from flask import Flask

from shop.services.mailers import Greeter, cached_client, send_goodbye, send_welcome

app = Flask(__name__)
greeter = Greeter()


@app.post("/welcome")
def welcome(user):
    send_welcome(user)  # expect: CIO401 "builds a new Customer.io client on every call", CIO501
    greeter.hello(user)  # expect: CIO401 "shop.services.mailers.Greeter.hello", CIO501
    return "ok"


@app.post("/goodbye")
def goodbye(user):
    send_goodbye(user)  # expect: CIO501 -- a guarded singleton: built once
    cached_client().track(user.id, "said_goodbye")  # expect: CIO501 -- cached: built once
    return "ok"


def nightly(users):
    send_welcome(users[0])
