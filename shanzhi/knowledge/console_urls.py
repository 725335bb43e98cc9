"""Knowledge-base administration in the console, mounted at ``/console/kb/``:
``path("console/kb/", include("shanzhi.knowledge.console_urls"))``."""

from django.urls import path

from shanzhi.knowledge import views_console

app_name = "knowledge"

urlpatterns = [
    path("", views_console.article_list, name="list"),
    path("new/", views_console.article_edit, name="new"),
    path("<int:pk>/", views_console.article_detail, name="detail"),
    path("<int:pk>/edit/", views_console.article_edit, name="edit"),
    path("<int:pk>/publish/", views_console.article_publish_toggle, name="publish"),
]
