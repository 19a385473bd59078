import json

import requests


class CustomerIOException(Exception):
    pass


class ClientBase:
    def __init__(self, retries=3, timeout=10):
        self.http = requests.Session()

    def send_request(self, method, url, data):
        return self.http.request(method, url, data=json.dumps(data), timeout=10)
