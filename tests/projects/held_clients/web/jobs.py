from crm.router import log_router, router


def replay(events):
    for event in events:
        router.handle(event)  # expect: CIO601


def replay_log(events):
    for event in events:
        log_router.handle(event)
