"""纠纷预约 for citizens, mounted at ``/m/mediation/``:
``path("m/mediation/", include("shanzhi.mediation.portal_urls"))``."""

from django.urls import path

from shanzhi.mediation import views_portal

app_name = "mediation_portal"

urlpatterns = [
    path("", views_portal.index, name="index"),
    path("<int:pk>/cancel/", views_portal.cancel, name="cancel"),
]
