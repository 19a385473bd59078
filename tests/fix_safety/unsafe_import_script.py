# fixes: CIO601
"""Why nonblocking() in an import script that counts failures is unsafe: the SDK raises CustomerIOException for a
blank id, which the script counts; the runtime client raises ValueError (a programmer error), which it does not."""
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
