#!/usr/bin/env python
# a comment on top
try:
    from customerio import CustomerIO
except ImportError:
    CustomerIO = None

from flake8_cio.runtime import nonblocking

cio = CustomerIO(S, K)


@app.route("/x")
def x(user):
    nonblocking(cio).identify(user.id)
