"""A coded refusal (:class:`~shanzhi.core.errors.ShanzhiError`) that reaches the top of a console or portal request
is answered with its status and its message in the user's language — a JSON ``{code, message}`` for JSON
addresses, a short page otherwise — instead of a server error. The API (``/api/v1/``) has its own handler."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from shanzhi.core.errors import ShanzhiError


class CodedErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ShanzhiError):
            return None
        if request.path.endswith(".json") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                {"code": exception.code, "message": str(exception.message)},
                status=exception.status,
                json_dumps_params={"ensure_ascii": False},
            )
        page = render_to_string("coded_error.html", {"error": exception}, request=request)
        return HttpResponse(page, status=exception.status)
