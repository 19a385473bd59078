import enum

ORDER_REFUNDED = "OrderRefunded"
ORDER_PAID = "order_paid"


class Plan(enum.Enum):
    """A plain Enum: its members are members; `.value` is the text."""

    PRO = "pro"
    ENTERPRISE = "Enterprise"
