"""The grid pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver, path

from shanzhi.grid import views_console

app_name = "grid"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_console.index, name="index"),
    path("import/", views_console.import_geojson, name="import"),
    path("g/<str:code>/", views_console.grid_detail, name="grid"),
    path("g/<str:code>/members/", views_console.member_add, name="member_add"),
    path("g/<str:code>/members/<int:member_id>/remove/", views_console.member_remove, name="member_remove"),
]
