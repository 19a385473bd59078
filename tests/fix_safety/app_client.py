# fixes: CIO401
"""APIClient built per request -> get_app_client: the runtime's App client sends what the SDK sends (a datetime
`send_at` as Unix seconds, which the API accepts) and returns the same answer (it once sent a string: unsafe then)."""
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
