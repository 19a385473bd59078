def attributes_of(customer):
    return {"email": customer.email, "plan": customer.plan}
