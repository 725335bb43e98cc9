"""The GeoReport v2 endpoints under ``/open311/v2/`` (see shanzhi/urls.py for the prefix)."""

from django.urls import URLPattern, URLResolver, re_path

from shanzhi.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]{1,40})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]{1,40})" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]{1,60})" + FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.request_updates, name="updates"),
    re_path(r"^(?P<rest>.*)$", views.unknown),
]
