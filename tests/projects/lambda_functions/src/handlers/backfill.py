"""A script's `main()`: it runs once, so the client it builds is built once."""
import os
import sys

from customerio import CustomerIO


def main(argv):
    client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])  # near miss: built once per run
    client.identify(argv[1], plan="pro")


if __name__ == "__main__":
    main(sys.argv)
