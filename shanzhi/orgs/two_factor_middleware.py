"""Keeps a session that has not passed the second sign-in step out of every page and API call.

A session is let through when it passed the code step (``VERIFIED_SESSION_KEY``), or when its user needs no code
(never enrolled, and not required to — remembered in the session so that later requests ask no query). Otherwise:
- a user who must still enrol reaches only the enrolment page (and sign-out);
- a user who enrolled but signed in some other way (the admin site's own login page) is signed out and sent to the
  console's login, which asks for the code;
- the API answers 401 ``two_factor_required``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

VERIFIED_SESSION_KEY = "two_factor_verified_at"
EXEMPT_SESSION_KEY = "two_factor_exempt"
OPEN_URL_NAMES = ("console:two_factor", "console:two_factor_verify", "console:logout", "console:login")
OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz", "/readyz", "/m/", "/open311/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        session = request.session
        if session.get(VERIFIED_SESSION_KEY) or session.get(EXEMPT_SESSION_KEY):
            return None
        from shanzhi.orgs import two_factor

        enrolled = two_factor.needs_code(user)  # type: ignore[arg-type]
        must_enrol = not enrolled and two_factor.must_enrol(user)  # type: ignore[arg-type]
        if not enrolled and not must_enrol:
            session[EXEMPT_SESSION_KEY] = True
            return None
        path = request.path
        if path.startswith(OPEN_PREFIXES) or path in {reverse(name) for name in OPEN_URL_NAMES}:
            return None
        if path.startswith("/api/"):
            body = {"code": "two_factor_required", "message": _("请先完成两步验证"), "details": {}}
            return JsonResponse(body, status=401, json_dumps_params={"ensure_ascii": False})
        if must_enrol:
            return HttpResponseRedirect(reverse("console:two_factor"))
        logout(request)
        return HttpResponseRedirect(f"{reverse('console:login')}?next={path}")
