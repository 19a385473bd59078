"""A flat project whose own module is named customerio: `import customerio` means this file."""
import httpx


async def track(customer_id, name, **data):
    async with httpx.AsyncClient() as http:
        await http.post(f"https://track.customer.io/api/v1/customers/{customer_id}/events", json={"name": name})
