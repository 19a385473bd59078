def write(account_id, name):
    print(account_id, name)
