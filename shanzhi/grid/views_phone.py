"""The grid worker's phone pages (``/m/grid/``): today's work, patrols, reporting a problem, verifying a fix.

The pages are drawn by the server; what the worker submits goes through the phone's offline queue
(``static/grid/field.js``) to the grid API, so a submission made without a connection is kept on the phone and
sent when it returns. Only a grid worker whose unit is a grid opens them; anything outside their grid is not found.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from shanzhi.core.errors import PermissionDenied
from shanzhi.grid import selectors, services
from shanzhi.grid.models import Patrol
from shanzhi.orgs.models import Unit, User
from shanzhi.routing.models import Category


def _worker(request: HttpRequest) -> tuple[User, Unit]:
    user = request.user
    assert isinstance(user, User)
    try:
        return user, services.worker_grid(user)
    except PermissionDenied as error:
        raise Http404(str(error.message)) from error


def _context(user: User, grid: Unit, tab: str) -> dict[str, object]:
    return {"worker": user, "grid": grid, "tab": tab, "queue_owner": user.pk}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user, grid = _worker(request)
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today_patrols: list[Patrol] = list(
        selectors.patrols_visible_to(user).filter(worker=user, started_at__gte=start).order_by("-started_at")
    )
    context = {
        **_context(user, grid, "home"),
        "ongoing": selectors.ongoing_patrol(user),
        "today_patrols": today_patrols,
        "to_verify": list(selectors.appeals_to_verify(user, grid)[:50]),
        "reports": list(selectors.reports_visible_to(user).filter(worker=user).order_by("-at")[:10]),
    }
    return render(request, "grid/phone_home.html", context)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    user, grid = _worker(request)
    categories = Category.objects.filter(is_active=True, level__gte=2).order_by("path")[:500]
    ongoing = selectors.ongoing_patrol(user)
    context = {**_context(user, grid, "report"), "categories": categories, "ongoing": ongoing}
    return render(request, "grid/phone_report.html", context)


@login_required
def verify(request: HttpRequest, tracking_no: str) -> HttpResponse:
    user, grid = _worker(request)
    try:
        appeal = selectors.appeals_to_verify(user, grid).get(tracking_no=tracking_no.upper())
    except Exception as error:  # DoesNotExist, or a malformed number
        raise Http404 from error
    photos = list(appeal.attachments.filter(content_type__startswith="image/").order_by("uploaded_at")[:6])
    context = {**_context(user, grid, "home"), "appeal": appeal, "photos": photos}
    return render(request, "grid/phone_verify.html", context)


SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "grid" / "sw.js"


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that opens the pages offline; served here so that its scope is ``/m/grid/``."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/m/grid/"
    return response
