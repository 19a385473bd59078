from app.dispatch import HANDLERS, QUIET_HANDLERS


def consume(messages):
    for message in messages:
        HANDLERS[message["kind"]](message["payload"])  # expect: CIO601
        QUIET_HANDLERS[message["kind"]](message["payload"])
