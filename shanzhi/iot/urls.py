"""The iot pages (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver, path

from shanzhi.iot import views, views_health

app_name = "iot"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.alarms, name="alarms"),
    path("alarms/rows/", views.alarm_rows, name="alarm_rows"),
    path("alarms/<int:pk>/", views.alarm_detail, name="alarm"),
    path("alarms/<int:pk>/resolve/", views.alarm_resolve, name="alarm_resolve"),
    path("devices/", views.devices, name="devices"),
    path("devices/<str:code>/", views.device_detail, name="device"),
    path("grids/", views.grids, name="grids"),
    path("stats/", views.stats, name="stats"),
    path("maintenance/", views_health.maintenance_orders, name="maintenance"),
    path("maintenance/<int:pk>/close/", views_health.maintenance_close, name="maintenance_close"),
    path("care/", views_health.care_page, name="care"),
    path("care/enrol/", views_health.care_enrol, name="care_enrol"),
    path("care/<int:pk>/withdraw/", views_health.care_withdraw, name="care_withdraw"),
    path("care/tasks/<int:pk>/done/", views_health.care_task_done, name="care_task_done"),
]
