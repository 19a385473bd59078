from django.urls import path

from shop.accounts import endpoints
from shop import views

urlpatterns = [
    path("signup/", endpoints.signup),
    path("health/", endpoints.healthcheck),
    path("upgrade/", views.UpgradeView.as_view()),
]
