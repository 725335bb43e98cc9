"""Console pages of the weekly supervision report (周报督办): the centre-wide page, the per-unit page, snapshots
and the XLSX export. A unit's staff see only their own unit's page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shanzhi.core import clock
from shanzhi.orgs.models import Unit
from shanzhi.reports import exports, rules, selectors, weekly
from shanzhi.reports.models import WeeklyReport
from shanzhi.reports.views import CONTENT_TYPES, viewer
from shanzhi.supervision.models import SupervisionOrder


def _week(request: HttpRequest) -> rules.Period:
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = clock.local_date()
    rules.period_year_check(day)
    return rules.week_period(day)


def _context_weeks(week: rules.Period) -> dict:
    return {
        "week": week,
        "previous_week": (week.start - dt.timedelta(days=7)).isoformat(),
        "next_week": (week.start + dt.timedelta(days=7)).isoformat(),
    }


@login_required
def weekly_page(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    scope = selectors.report_scope(user)
    if scope is not None:
        if user.unit_id is None:
            raise PermissionDenied
        return redirect("reports:weekly_unit", unit_id=user.unit_id)
    week = _week(request)
    data = weekly.weekly_data(week=week, now=clock.now())
    snapshots = WeeklyReport.objects.only("id", "week_start", "generated_at")[:12]
    return render(
        request,
        "reports/weekly.html",
        {"data": data, "snapshots": snapshots, "nav_active": "supervision", **_context_weeks(week)},
    )


@login_required
def weekly_saved(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    if selectors.report_scope(user) is not None:
        raise PermissionDenied
    snapshot = get_object_or_404(WeeklyReport, pk=pk)
    week = rules.week_period(snapshot.week_start)
    if request.GET.get("format") == "xlsx":
        return _xlsx(snapshot.data)
    return render(
        request,
        "reports/weekly.html",
        {"data": snapshot.data, "snapshot": snapshot, "nav_active": "supervision", **_context_weeks(week)},
    )


@login_required
def weekly_unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = viewer(request)
    scope = selectors.report_scope(user)
    if scope is not None and unit_id not in scope:
        raise Http404
    unit = get_object_or_404(Unit, pk=unit_id)
    week = _week(request)
    now = clock.now()
    data = weekly.weekly_data(week=week, now=now, scope=frozenset({unit.pk}))
    lo, hi = rules.local_bounds(week, clock.centre_tz())
    orders = SupervisionOrder.objects.filter(unit=unit, issued_at__gte=lo, issued_at__lt=hi).select_related("appeal")
    return render(
        request,
        "reports/weekly_unit.html",
        {
            "unit": unit,
            "data": data,
            "row": data["units"][0] if data["units"] else None,
            "lists": weekly.unit_work_lists(unit=unit, now=now),
            "orders": orders.order_by("-issued_at")[:200],
            "nav_active": "supervision",
            **_context_weeks(week),
        },
    )


def _xlsx(data: dict) -> HttpResponse:
    response = HttpResponse(exports.weekly_xlsx(data), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="weekly-{data["week_start"]}.xlsx"'
    return response


@login_required
def weekly_export(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    scope = selectors.report_scope(user)
    week = _week(request)
    if scope is not None:
        scope = frozenset({user.unit_id}) if user.unit_id else frozenset()
    return _xlsx(weekly.weekly_data(week=week, now=clock.now(), scope=scope))


@require_POST
@login_required
def weekly_snapshot(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    if selectors.report_scope(user) is not None:
        raise PermissionDenied
    week = _week(request) if request.GET.get("week") else rules.week_period(clock.local_date())
    snapshot = weekly.weekly_snapshot(week=week, now=clock.now(), by=user.pk)
    messages.success(request, _("已生成周报督办快照"))
    return redirect("reports:weekly_saved", pk=snapshot.pk)
