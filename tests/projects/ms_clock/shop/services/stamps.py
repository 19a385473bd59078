"""Stamps for the shop's records: one passes the clock's milliseconds on, one makes them seconds."""
from shop.utils import clock
from shop.utils.clock import now_ms


def stamp():
    return clock.now_ms()


def record_stamp():
    return now_ms()


def stamp_seconds():
    return clock.now_ms() // 1000


def stamp_in_seconds():
    return clock.now_seconds()
