"""The grid pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver

app_name = "grid"

urlpatterns: list[URLPattern | URLResolver] = []
