"""A second app setting a state attribute of the same name to something else: which one a route sees is unknown."""
from fastapi import FastAPI

from app.services import Ledger

other = FastAPI()
other.state.cache = Ledger(None)
