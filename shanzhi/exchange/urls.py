"""The exchange pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver

app_name = "exchange"

urlpatterns: list[URLPattern | URLResolver] = []
