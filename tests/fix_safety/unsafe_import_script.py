# fixes: CIO601
# fake-fails: 401
"""Why nonblocking() in an import script that counts failures is unsafe: when Customer.io refuses a request (here
401, a revoked key) the SDK raises CustomerIOException at the call, which the script counts; the runtime client has
accepted the event by then and reports the refusal later, so the count no longer sees it. (A blank id is refused
alike by both, before anything is sent.)"""
from customerio import CustomerIO, CustomerIOException

cio = CustomerIO("test-site", "test-track-key")


def main():
    failed = 0
    for number in range(20):
        try:
            cio.track("" if number % 5 == 0 else f"user-{number}", "imported")
        except CustomerIOException:
            failed += 1
    return failed
