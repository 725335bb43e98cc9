"""Policy Q&A (政策问答) for citizens, mounted at ``/m/kb/``:
``path("m/kb/", include("shanzhi.knowledge.portal_urls"))``."""

from django.urls import path

from shanzhi.knowledge import views_portal

app_name = "knowledge_portal"

urlpatterns = [
    path("", views_portal.index, name="index"),
    path("topics/<str:code>/", views_portal.topic, name="topic"),
    path("<int:pk>/", views_portal.article, name="article"),
]
