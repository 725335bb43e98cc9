"""The exchange pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver, path

from shanzhi.exchange import views

app_name = "exchange"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("deliveries/<int:pk>/resend", views.resend, name="resend"),
]
