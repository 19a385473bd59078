from flask import Flask

from app import pipes, segment
from app.pipes import Track, analytics
from app.segment import analytics as segment_analytics

app = Flask(__name__)
crm = Track("3f2a9c81d7e4b6051a2f", "9b8c7d6e5f4a3b2c1d0e")  # expect: CIO402, CIO402


@app.post("/flush")
def flush():
    analytics.flush()  # expect: CIO501
    pipes.analytics.flush()  # expect: CIO501
    segment_analytics.flush()  # near miss: Segment's module, handed on by a project module
    segment.analytics.flush()  # near miss: the same, through the module
    crm.track("u1", "order_done")  # expect: CIO501
    return "ok"


def send(user):
    analytics.track(user_id=user.email, event="Order Done", timestamp=1700000000)  # expect: CIO301, CIO103
    segment_analytics.track(user.email, "order_done")  # near miss: Segment
