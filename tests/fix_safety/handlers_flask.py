# fixes: CIO401 CIO501 CIO501 CIO501
"""Flask request handlers that wait on Customer.io; one builds a client per request."""
from customerio import CustomerIO
from flask import Flask, jsonify, request

app = Flask(__name__)
cio = CustomerIO("test-site", "test-track-key")


@app.post("/signup")
def signup():
    user = request.get_json()
    cio.identify(user["id"], email=user["email"], plan=user.get("plan", "free"))
    cio.track(user["id"], "signed_up", {"plan": user.get("plan", "free")})
    return jsonify(ok=True)


@app.post("/orders/<order_id>")
def order(order_id):
    body = request.get_json()
    for item in body["items"][:3]:
        cio.track(body["user"], "item_ordered", {"order": order_id, "sku": item})
    return jsonify(order=order_id, count=len(body["items"]))


@app.post("/per-request")
def per_request():
    client = CustomerIO("test-site", "test-track-key")
    client.identify(request.get_json()["id"], seen=1700000000)
    return "", 204


def main():
    web = app.test_client()
    return [
        web.post("/signup", json={"id": "u1", "email": "a@example.com", "plan": "pro"}).status_code,
        web.post("/orders/o1", json={"user": "u1", "items": ["a", "b"]}).get_json(),
        web.post("/per-request", json={"id": "u2"}).status_code,
    ]
