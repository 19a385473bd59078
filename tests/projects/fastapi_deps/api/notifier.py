"""A client held as a typed field (dataclass-style) and injected, never built here."""
import asyncio
from dataclasses import dataclass

from customerio import CustomerIO

from api.deps import get_shared_cio


@dataclass
class Notifier:
    client: CustomerIO = None

    def __post_init__(self):
        self.client = self.client or get_shared_cio()

    def send(self, user_id):
        self.client.track(user_id, "notified")

    async def send_later(self, user_id):
        await asyncio.to_thread(self.client.track, user_id, "notified_later")
