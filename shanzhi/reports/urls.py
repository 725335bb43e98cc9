"""``/console/reports/``: KPIs and drill-down, weekly supervision, monthly analysis, the command dashboard."""

from django.urls import path

from shanzhi.reports import views, views_weekly

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("appeals/", views.drill, name="drill"),
    path("weekly/", views_weekly.weekly_page, name="weekly"),
    path("weekly/export.xlsx", views_weekly.weekly_export, name="weekly_xlsx"),
    path("weekly/snapshot/", views_weekly.weekly_snapshot, name="weekly_snapshot"),
    path("weekly/<int:pk>/", views_weekly.weekly_saved, name="weekly_saved"),
    path("weekly/unit/<int:unit_id>/", views_weekly.weekly_unit, name="weekly_unit"),
    path("monthly/", views.monthly_page, name="monthly"),
    path("monthly/export.<str:fmt>", views.monthly_export, name="monthly_export"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/data.json", views.dashboard_json, name="dashboard_data"),
    path("dashboard/map.json", views.dashboard_map, name="dashboard_map"),
]
