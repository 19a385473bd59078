"""Views entering the sessions of crm.sessions: one builds a client per request."""
from flask import Flask

from crm.sessions import crm_session, shared_session

app = Flask(__name__)


@app.delete("/accounts/<aid>")
def delete_account(aid):
    with crm_session() as crm:  # expect: CIO401 "crm.sessions.crm_session"
        crm.delete(aid)  # expect: CIO501
    with shared_session() as crm:
        crm.delete(aid)  # expect: CIO501
    return ""
