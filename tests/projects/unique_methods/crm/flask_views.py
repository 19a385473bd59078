import json

from flask import Flask, g, request
from redis import Redis

from crm.models import uow_for

app = Flask(__name__)
app.before_request(lambda: uow_for(request))
queue = Redis()


@app.post("/orders")
def orders():
    request.uow.flush_crm()  # expect: CIO501
    g.uow.flush_crm()  # expect: CIO501
    json.dumps({"ok": True})  # near miss: the json module's function, not UnitOfWork.dumps
    queue.flush_crm()  # near miss: a name bound to another library's object is typed by it
    return "ok"
