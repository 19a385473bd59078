"""The package wires its holder under the name of the submodule that defines it."""
import os

from customerio import CustomerIO

from shop.crm.tracker import CrmTracker

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])
tracker = CrmTracker(cio)
