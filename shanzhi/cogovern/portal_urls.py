"""居民共治 for residents, mounted at ``/m/cogovern/``:
``path("m/cogovern/", include("shanzhi.cogovern.portal_urls"))``."""

from django.urls import path

from shanzhi.cogovern import views_portal

app_name = "cogovern_portal"

urlpatterns = [
    path("", views_portal.index, name="index"),
    path("demands/new/", views_portal.demand_new, name="demand_new"),
    path("demands/mine/", views_portal.my_demands, name="mine"),
    path("demands/<int:pk>/", views_portal.demand_detail, name="demand"),
    path("demands/<int:pk>/vote/", views_portal.demand_vote, name="vote"),
    path("demands/<int:pk>/comment/", views_portal.demand_comment, name="comment"),
    path("projects/<int:pk>/", views_portal.project_detail, name="project"),
    path("activities/", views_portal.activities, name="activities"),
    path("activities/<int:pk>/signup/", views_portal.activity_sign_up, name="signup"),
    path("law/", views_portal.law_index, name="law"),
    path("law/<int:pk>/", views_portal.law_item, name="law_item"),
    path("law/<int:pk>/play/", views_portal.law_play, name="law_play"),
    path("checkin/<str:token>/", views_portal.checkin, name="checkin"),
]
