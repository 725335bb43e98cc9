"""The cogovern pages in the console, mounted at ``/console/cogovern/`` (see shanzhi/urls.py)."""

from django.urls import path

from shanzhi.cogovern import views, views_centres, views_volunteers

app_name = "cogovern"

urlpatterns = [
    path("", views.index, name="index"),
    path("demands/", views.demand_list, name="demands"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("demands/<int:pk>/match/", views.demand_match, name="demand_match"),
    path("demands/<int:pk>/decline/", views.demand_decline, name="demand_decline"),
    path("demands/<int:pk>/project/", views.project_create, name="project_create"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/milestones/<int:milestone_id>/done/", views.milestone_done, name="milestone_done"),
    path("projects/<int:pk>/<str:action>/", views.project_action, name="project_action"),
    path("resources/", views.resource_list, name="resources"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("forces/", views.force_list, name="forces"),
    path("forces/new/", views.force_new, name="force_new"),
    path("teams/", views_volunteers.team_list, name="teams"),
    path("teams/<int:pk>/", views_volunteers.team_detail, name="team"),
    path("activities/", views_volunteers.activity_list, name="activities"),
    path("activities/new/", views_volunteers.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views_volunteers.activity_detail, name="activity"),
    path("activities/<int:pk>/checkin/", views_volunteers.activity_check_in, name="activity_checkin"),
    path("activities/<int:pk>/qr.svg", views_volunteers.activity_qr, name="activity_qr"),
    path("publicity/", views_centres.publicity_list, name="publicity"),
    path("publicity/new/", views_centres.publicity_edit, name="publicity_new"),
    path("publicity/<int:pk>/", views_centres.publicity_edit, name="publicity_edit"),
    path("publicity/<int:pk>/publish/", views_centres.publicity_publish, name="publicity_publish"),
    path("centres/", views_centres.centre_list, name="centres"),
    path("centres/<int:unit_id>/", views_centres.centre_detail, name="centre"),
    path("centres/<int:unit_id>/evidence/<int:evidence_id>/", views_centres.centre_evidence, name="centre_evidence"),
]
