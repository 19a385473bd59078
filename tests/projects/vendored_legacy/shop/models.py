class Customer:
    @classmethod
    def all(cls):
        return []
