"""One request id per request: taken from ``X-Request-ID`` (set by nginx) or made up, returned in the response,
attached to every log record written while the request runs, and timed into the metrics by route.

The route is the URL pattern (``console/appeals/<int:pk>/``), never the path: paths carry ids, and a search in a path
could carry personal data.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shanzhi.core.observability import metrics

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("shanzhi_request_id", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return "unmatched"
    return str(match.route)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        metrics.observe_request(
            method=request.method or "-",
            route=route_of(request),
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response
