from shop.crm import cio


class Account:
    def sync_to_crm(self):
        cio.identify(self.id, plan=self.plan)
