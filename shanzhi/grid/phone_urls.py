"""The grid worker's phone pages, mounted at ``/m/grid/`` (shanzhi/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from shanzhi.grid import views_phone

app_name = "grid_phone"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_phone.home, name="home"),
    path("sw.js", views_phone.service_worker, name="service_worker"),
    path("report/", views_phone.report, name="report"),
    path("verify/<str:tracking_no>/", views_phone.verify, name="verify"),
]
