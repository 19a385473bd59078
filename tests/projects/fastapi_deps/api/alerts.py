"""A helper that builds a client on every call, run by the routes through a thread."""
import os

from customerio import APIClient


def send_alert(user_id):
    api = APIClient(os.environ["CIO_APP_KEY"])
    api.send_push(user_id)


def send_quietly(user_id):
    return user_id
