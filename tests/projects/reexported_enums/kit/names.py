ORDER_REFUNDED = "OrderRefunded"
ORDER_PAID = "order_paid"
