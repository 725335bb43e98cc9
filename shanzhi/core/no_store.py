"""``Cache-Control: no-store`` on every page and API answer Django renders (a console page, a citizen's appeal, an
export): they may carry personal data, and neither the browser's cache nor a proxy may keep a copy. A view that
knows its answer is public and cacheable sets its own ``Cache-Control``, which is left alone. Static files never
get here: WhiteNoise serves them further up the middleware chain, with their own long cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private, max-age=0
        return response
