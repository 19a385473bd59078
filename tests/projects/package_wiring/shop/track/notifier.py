from shop.crm import cio


class PlanNotifier:
    def __init__(self, client):
        self.client = client

    def plan_changed(self, account_id, plan):
        self.client.identify(account_id, plan=plan)


notifier = PlanNotifier(cio)
