"""The project's own async Customer.io wrapper (httpx): named like the SDK, but not the SDK."""
import httpx

_http = httpx.AsyncClient(base_url="https://track.customer.io/api/v1")


async def track(customer_id, name, **data):
    await _http.post(f"/customers/{customer_id}/events", json={"name": name, "data": data})


async def identify(customer_id, **attributes):
    await _http.put(f"/customers/{customer_id}", json=attributes)
