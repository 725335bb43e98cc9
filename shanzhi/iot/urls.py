"""The iot pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver, path

from shanzhi.iot import views

app_name = "iot"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.alarms, name="alarms"),
    path("alarms/<int:pk>/", views.alarm_detail, name="alarm"),
    path("alarms/<int:pk>/resolve/", views.alarm_resolve, name="alarm_resolve"),
    path("devices/", views.devices, name="devices"),
    path("devices/<str:code>/", views.device_detail, name="device"),
    path("grids/", views.grids, name="grids"),
]
