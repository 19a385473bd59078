"""Blocking calls go through the runtime client; `await` on them is dropped."""
from customerio import CustomerIO as CIO
from fastapi import FastAPI

app = FastAPI()
cio = CIO(SITE, KEY)


@app.post("/a")
async def a(user):
    await cio.track(user.id, "a_done")
    cio.identify(
        user.id,
        plan="pro",
    )
    return {}


@app.get("/b")
def b(user):
    (cio).suppress(user.id)


def bulk(rows):
    for row in rows:
        cio.identify(row.id)
