class Db:
    def get(self, model, pk):
        return model()


db = Db()
