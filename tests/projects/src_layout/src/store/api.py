from flask import Flask

from store.tracking import track_purchase

app = Flask(__name__)


@app.post("/buy")
def buy(user):
    track_purchase(user.email, "Purchase", {"sku": user.sku})  # expect: CIO301, CIO202, CIO501
    return "ok"


def nightly(purchases):
    for purchase in purchases:
        track_purchase(purchase.user_id, "purchase_replayed", {})  # expect: CIO601
