from crm.clients import cio
from crm.serializers import attributes_of


def create_customer(customer):
    cio.identify(customer.id, **attributes_of(customer))  # may hold `email`: not CIO303
