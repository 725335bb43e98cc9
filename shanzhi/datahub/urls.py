"""The datahub pages (see shanzhi/urls.py for the prefix ``/console/datahub/``)."""

from django.urls import URLPattern, URLResolver, path

from shanzhi.datahub import views, views_dimensions

app_name = "datahub"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("persons/", views.person_list, name="persons"),
    path("persons/export/", views.person_export, name="person_export"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("buildings/", views.building_list, name="buildings"),
    path("buildings/<int:pk>/", views.building_detail, name="building"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("party/", views.party_list, name="party"),
    path("key-persons/", views.key_person_list, name="key_persons"),
    path("map/", views.map_page, name="map"),
    path("dimensions/", views_dimensions.dimension_list, name="dimensions"),
    path("dimensions/<slug:code>/", views_dimensions.dimension_detail, name="dimension"),
    path("imports/", views.import_page, name="imports"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("imports/template/<str:kind>.xlsx", views.import_template, name="import_template"),
]
