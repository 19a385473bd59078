from .client_base import ClientBase
from .regions import Regions


class CustomerIO(ClientBase):
    def __init__(self, site_id=None, api_key=None, host=None, region=Regions.US):
        super().__init__()
        self.host = host or region.track_host

    def identify(self, id, **kwargs):
        return self.send_request("PUT", f"https://{self.host}/api/v1/customers/{id}", kwargs)

    def track(self, customer_id, name, data=None, id=None, timestamp=None):
        self.identify(customer_id, last_event=name)  # the SDK's own calls are never reported
        return self.send_request("POST", f"https://{self.host}/api/v1/customers/{customer_id}/events",
                                 {"name": name, "data": data or {}})
