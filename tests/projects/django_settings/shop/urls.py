from django.urls import path

from shop import views

urlpatterns = [path("book", views.book), path("quiet", views.book_quietly)]
