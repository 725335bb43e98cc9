"""The mediation pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver

app_name = "mediation"

urlpatterns: list[URLPattern | URLResolver] = []
