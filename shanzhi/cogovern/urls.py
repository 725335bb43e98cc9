"""The cogovern pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver

app_name = "cogovern"

urlpatterns: list[URLPattern | URLResolver] = []
