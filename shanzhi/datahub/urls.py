"""The datahub pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver

app_name = "datahub"

urlpatterns: list[URLPattern | URLResolver] = []
