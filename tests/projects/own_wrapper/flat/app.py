import customerio
from fastapi import FastAPI

app = FastAPI()


@app.post("/signup")
async def signup(user_id: str):
    await customerio.track(user_id, "signed_up", plan="free")
