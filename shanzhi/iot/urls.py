"""The iot pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver

app_name = "iot"

urlpatterns: list[URLPattern | URLResolver] = []
