#!/usr/bin/env python
# a comment on top
try:
    from customerio import CustomerIO
except ImportError:
    CustomerIO = None
cio = CustomerIO(S, K)


@app.route("/x")
def x(user):
    cio.identify(user.id)
