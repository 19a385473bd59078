"""The SDK import sits in a guard: a new import goes below it, never above."""
try:
    from customerio import CustomerIO
except ImportError:  # optional dependency
    CustomerIO = None

cio = CustomerIO(SITE, KEY)


@app.route("/paid")
def paid(user):
    cio.track(user.id, "paid")
