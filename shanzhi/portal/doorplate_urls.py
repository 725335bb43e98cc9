"""Smart doorplates, mounted at ``/m/d/``: ``path("m/d/", include("shanzhi.portal.doorplate_urls"))``."""

from django.urls import path

from shanzhi.portal import views_doorplates

app_name = "doorplates"

urlpatterns = [
    path("print/", views_doorplates.print_sheet, name="print"),
    path("<str:code>/", views_doorplates.scan, name="scan"),
    path("<str:code>/filed/", views_doorplates.filed, name="filed"),
    path("<str:code>/qr.<str:fmt>", views_doorplates.qr_image, name="qr"),
]
