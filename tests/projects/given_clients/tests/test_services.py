from unittest import mock

from shop.services import OnlyInTests


def test_reminder():
    OnlyInTests(mock.Mock()).reminder("u1", "cart")
