# fixes: CIO401
"""Why APIClient -> get_app_client is unsafe: the runtime's App client sends a datetime `send_at` as a string, which
the API rejects, where the SDK sends Unix seconds (flake8_cio/runtime/app.py encodes with json's default=str)."""
from datetime import datetime, timedelta, timezone

from customerio import APIClient
from flask import Flask

app = Flask(__name__)


@app.post("/receipt")
def receipt():
    api = APIClient("test-app-key")
    return api.send_email({"transactional_message_id": 3, "to": "a@example.com", "identifiers": {"id": "u1"},
                           "send_at": datetime.now(timezone.utc) + timedelta(hours=1)})["delivery_id"]


def main():
    return app.test_client().post("/receipt").status_code
