from django.urls import path

from shanzhi.portal import views, views_appeals

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("signin/verify/", views.verify, name="verify"),
    path("signout/", views.signout, name="signout"),
    path("track/", views.track, name="track"),
    path("me/", views.me, name="me"),
    path("submit/", views_appeals.submit, name="submit"),
    path("submitted/<str:tracking_no>/", views_appeals.submitted, name="submitted"),
    path("appeals/", views_appeals.appeal_list, name="appeals"),
    path("appeals/<str:tracking_no>/", views_appeals.appeal_detail, name="appeal"),
    path("appeals/<str:tracking_no>/supply/", views_appeals.appeal_supply, name="supply"),
    path("appeals/<str:tracking_no>/rate/", views_appeals.appeal_rate, name="rate"),
    path("appeals/<str:tracking_no>/reopen/", views_appeals.appeal_reopen, name="reopen"),
    path("appeals/<str:tracking_no>/photos/<int:attachment_id>/", views_appeals.appeal_photo, name="photo"),
    path("map/outline.json", views_appeals.district_outline, name="outline"),
]
