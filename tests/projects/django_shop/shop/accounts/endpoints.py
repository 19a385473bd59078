"""Function views in a module not named views: urls.py routes them."""
from shop.crm.service import CrmService, sync_profile


def signup(req):
    sync_profile(req.user)  # expect: CIO501 "shop.crm.service.sync_profile -> shop.crm.service.CrmService.welcome"
    return None


def healthcheck(req):
    return None


def helper_not_routed(user):
    sync_profile(user)
