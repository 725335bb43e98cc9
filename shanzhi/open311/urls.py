"""The open311 pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver

app_name = "open311"

urlpatterns: list[URLPattern | URLResolver] = []
