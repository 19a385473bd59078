"""Order-event handlers, registered by a decorator and looked up by the event's kind."""
HANDLERS = {}
AUDITORS = {}


def handles(kind):
    def add(handler):
        HANDLERS[kind] = handler
        return handler
    return add


def audits(handler):
    AUDITORS[handler.__name__] = handler
    return handler
