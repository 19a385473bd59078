"""The SDK import sits in a guard: a new import goes below it, never above."""
try:
    from customerio import CustomerIO
except ImportError:  # optional dependency
    CustomerIO = None

from flake8_cio.runtime import nonblocking

cio = CustomerIO(SITE, KEY)


@app.route("/paid")
def paid(user):
    nonblocking(cio).track(user.id, "paid")
