# fixes: CIO502 CIO502
"""An async handler making synchronous Customer.io calls."""
import asyncio

from customerio import CustomerIO

cio = CustomerIO("test-site", "test-track-key")


class Router:
    def post(self, path):
        return lambda handler: handler


router = Router()


@router.post("/checkout")
async def checkout(user_id, total):
    await asyncio.sleep(0)
    cio.track(user_id, "checked_out", {"total": total})
    cio.identify(user_id, last_total=total)
    return {"user": user_id, "total": total}


def main():
    return asyncio.run(checkout("u1", 12.5))
