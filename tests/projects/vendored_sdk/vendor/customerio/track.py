import requests


class CustomerIO:
    def __init__(self, site_id=None, api_key=None, host=None, port=None, url_prefix=None, json_encoder=None,
                 retries=3, timeout=10, backoff_factor=0.02):
        self.host = host or "track.customer.io"
        self.session = requests.Session()
        self.auth = (site_id, api_key)

    def identify(self, id, **kwargs):
        return self.session.put(f"https://{self.host}/api/v1/customers/{id}", json=kwargs, auth=self.auth)

    def track(self, customer_id, name, **data):
        return self.session.post(f"https://{self.host}/api/v1/customers/{customer_id}/events",
                                 json={"name": name, "data": data}, auth=self.auth)
