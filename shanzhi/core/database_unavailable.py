"""A page asked for while the database restarts or fails over gets a short 503 that says so (with ``Retry-After``),
instead of the generic error page: the load balancer and the browser may try again, and nothing half-done is shown.
The API answers the same case with its own coded JSON error (``database_unavailable``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable (%s) on %s", type(exception).__name__, request.path)
        response = HttpResponse(
            _("系统繁忙（数据库暂不可用），请稍后重试。") + "\n", status=503, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = "5"
        return response
