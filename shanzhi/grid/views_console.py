"""网格管理 in the console: the grid KPIs of the viewer's grids, recent field work, and the GeoJSON import."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.core import pii
from shanzhi.core.errors import NotFound, ShanzhiError
from shanzhi.grid import boundary_import, rules, selectors, teams, training
from shanzhi.grid.models import GridImport, MemberRole
from shanzhi.orgs.models import User
from shanzhi.orgs.permissions import may_administer

MAX_UPLOAD = 20 * 1024 * 1024


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not selectors.may_view_grid_overview(user):
        raise Http404
    return user


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    start, end = selectors.period_bounds(_date(request.GET.get("start")), _date(request.GET.get("end")))
    grids = selectors.grids_visible_to(user)
    kpis = selectors.grid_kpis(grids=grids, start=start, end=end)
    context = {
        "nav_active": "grid",
        "kpis": kpis,
        "grid_map": selectors.grid_map(grids=grids, kpis=kpis),
        "start": start.date(),
        "end": (end - dt.timedelta(days=1)).date(),
        "patrols": list(selectors.patrols_visible_to(user).order_by("-started_at")[:20]),
        "reports": list(selectors.reports_visible_to(user).order_by("-at")[:20]),
        "verifications": list(selectors.verifications_visible_to(user).order_by("-at")[:20]),
        "may_import": may_administer(user),
        "imports": list(GridImport.objects.all()[:5]) if may_administer(user) else [],
        "import_errors": request.session.pop("grid_import_errors", None),
    }
    return render(request, "grid/console_index.html", context)


@login_required
@require_POST
def import_geojson(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    if not may_administer(user):
        raise Http404
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
        messages.error(request, _("请选择不超过 20 MB 的 GeoJSON 文件"))
        return redirect("grid:index")
    try:
        data = json.loads(upload.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        messages.error(request, _("文件不是有效的 JSON"))
        return redirect("grid:index")
    try:
        record = boundary_import.grids_import(
            actor=user, geojson=data, filename=upload.name or "", full_cover=bool(request.POST.get("full_cover"))
        )
    except ShanzhiError as error:
        messages.error(request, str(error.message))
        request.session["grid_import_errors"] = error.details.get("errors", [])
        return redirect("grid:index")
    messages.success(
        request,
        _("已导入 %(n)s 个网格的新边界（新建 %(c)s 个网格）") % {"n": record.feature_count, "c": record.created_units},
    )
    return redirect("grid:index")


@login_required
def grid_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One grid: its service team (1+3+N, phones masked), what is missing of the core, and its recent field work."""
    user = _viewer(request)
    grid = selectors.grids_visible_to(user).filter(code=code).first()
    if grid is None:
        raise Http404
    members = list(teams.members_visible_to(user).filter(grid=grid))
    start, end = selectors.period_bounds(None, None)
    context = {
        "nav_active": "grid",
        "grid": grid,
        "members": [(m, pii.mask_name(m.name), pii.mask_phone(m.phone)) for m in members],
        "gaps": [MemberRole(r).label for r in rules.team_gaps([m.role for m in members])],
        "roles": MemberRole.choices,
        "may_manage": teams.may_manage_team(user, grid),
        "figures": selectors.grid_kpis(grids=selectors.grids_visible_to(user).filter(pk=grid.pk), start=start, end=end),
        "patrols": list(selectors.patrols_visible_to(user).filter(grid=grid).order_by("-started_at")[:10]),
        "reports": list(selectors.reports_visible_to(user).filter(grid=grid).order_by("-at")[:10]),
        "service_days": list(training.service_days_visible_to(user).filter(grid=grid)[:10]),
    }
    return render(request, "grid/console_grid.html", context)


@login_required
@require_POST
def member_add(request: HttpRequest, code: str) -> HttpResponse:
    user = _viewer(request)
    grid = selectors.grids_visible_to(user).filter(code=code).first()
    if grid is None:
        raise Http404
    try:
        teams.member_add(
            actor=user,
            grid=grid,
            role=request.POST.get("role", ""),
            name=request.POST.get("name", ""),
            phone=request.POST.get("phone", ""),
        )
        messages.success(request, _("已加入网格服务队"))
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    return redirect("grid:grid", code=grid.code)


@login_required
@require_POST
def member_remove(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    user = _viewer(request)
    try:
        teams.member_remove(actor=user, member_id=member_id)
        messages.success(request, _("已移出网格服务队"))
    except NotFound:
        raise  # a member of a team outside the scope (or none): a 404, as for any object outside the scope
    except ShanzhiError as error:
        messages.error(request, str(error.message))
    return redirect("grid:grid", code=code)
