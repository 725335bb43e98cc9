"""The mediation pages (see shanzhi/urls.py for the prefix ``/console/mediation/``)."""

from django.urls import URLPattern, URLResolver, path

from shanzhi.mediation import appeal_panel, views, views_schedule

app_name = "mediation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("schedule/", views_schedule.schedule, name="schedule"),
    path("screening/new/", views.screening_new, name="screening_new"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/from-appeal/", views.appeal_handover, name="handover"),
    path("appeals/<int:appeal_pk>/convert/", appeal_panel.appeal_convert, name="appeal_convert"),
    path("appointments/<int:pk>/accept/", views.appointment_accept, name="appointment_accept"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/reveal/", views.case_reveal, name="reveal"),
    path("cases/<int:pk>/actions/<slug:code>/", views.case_action, name="action"),
    path("cases/<int:pk>/agreement.<str:fmt>", views.agreement_file, name="agreement_file"),
]
