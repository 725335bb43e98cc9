"""The staff console, ``/console/``."""

from django.contrib.auth import views as auth_views
from django.urls import path

from shanzhi.console import views, views_actions, views_detail, views_intake, views_workbench

app_name = "console"

urlpatterns = [
    path("", views_workbench.workbench, name="workbench"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="console/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", views.search, name="search"),
    path("intake/", views_intake.intake, name="intake"),
    path("intake/history/", views_intake.caller_history, name="caller_history"),
    path("appeals/<int:pk>/", views_detail.appeal_detail, name="appeal"),
    path("appeals/<int:pk>/reveal/", views_detail.reveal_personal_data, name="reveal"),
    path("appeals/<int:pk>/actions/<slug:code>/", views_actions.appeal_action, name="action"),
    path("assignments/sign/", views_workbench.bulk_sign, name="bulk_sign"),
    path("supervision/", views.supervision, name="supervision"),
    path("analysis/", views.analysis, name="analysis"),
]
