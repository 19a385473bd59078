"""Blocking calls go through the runtime client; `await` on them is dropped."""
from customerio import CustomerIO as CIO
from fastapi import FastAPI
from flake8_cio.runtime import nonblocking

app = FastAPI()
cio = CIO(SITE, KEY)


@app.post("/a")
async def a(user):
    nonblocking(cio).track(user.id, "a_done")
    nonblocking(cio).identify(
        user.id,
        plan="pro",
    )
    return {}


@app.get("/b")
def b(user):
    nonblocking(cio).suppress(user.id)


def bulk(rows):
    for row in rows:
        nonblocking(cio).identify(row.id)
