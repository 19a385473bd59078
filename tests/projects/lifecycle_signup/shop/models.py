class User:
    @classmethod
    def create(cls, form):
        return cls()
