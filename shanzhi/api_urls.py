"""``/api/v1/``: the REST API (see :mod:`shanzhi.api`), and a coded JSON 404 for any path it does not know."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from shanzhi.api import api, error_response
from shanzhi.core.errors import NotFound


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(request, 404, NotFound.code, NotFound.default_message)


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown_path),
]
