"""The grid pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver, path

from shanzhi.grid import views_console

app_name = "grid"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_console.index, name="index"),
    path("import/", views_console.import_geojson, name="import"),
]
