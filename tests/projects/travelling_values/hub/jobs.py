import time

from hub.clients import hub_client


def remind(rider_id):
    hub_client().ride_booked(rider_id)


def remind_slowly(rider_id):
    hub_client().ride_booked(rider_id)
    time.sleep(0.1)


def nightly(riders):
    for rider in riders:
        remind(rider.pk)  # expect: CIO601
    for rider in riders:
        remind_slowly(rider.pk)
