"""Console pages of the reports: the analyst page with drill-down, the monthly analysis and its exports, and the
command dashboard. Views parse and check access; the figures come from selectors/monthly/dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from shanzhi.appeals.models import Channel
from shanzhi.core import clock
from shanzhi.core.ids import as_id
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.reports import dashboard, exports, monthly, rules, selectors
from shanzhi.routing.models import Category

DIMENSION_LABELS = {"unit": "按单位", "town": "按镇街", "category_l1": "按分类", "channel": "按渠道"}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def viewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not selectors.may_view_reports(user):
        raise PermissionDenied(_("您没有查看统计分析的权限"))
    return user


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
    rules.period_year_check(day)
    return day


def _int(value: str | None) -> int | None:
    return as_id(value)


def parse_filters(request: HttpRequest) -> selectors.Filters:
    today = clock.local_date()
    start = _date(request.GET.get("start"), today.replace(day=1))
    end = _date(request.GET.get("end"), today)
    if end < start:
        start, end = end, start
    end = min(end, start + dt.timedelta(days=366 * 3))
    channel = request.GET.get("channel") or None
    return selectors.Filters(
        rules.Period(start, end),
        town=_int(request.GET.get("town")),
        unit=_int(request.GET.get("unit")),
        category=_int(request.GET.get("category")),
        channel=channel if channel in Channel.values else None,
    )


def drill_url(filters: selectors.Filters, metric: str, **override: object) -> str:
    query = {**filters.query(), **{k: str(v) for k, v in override.items() if v is not None}, "metric": metric}
    return reverse("reports:drill") + "?" + urlencode(query)


def _filter_choices(user: User) -> dict:
    scope = selectors.report_scope(user)
    units = Unit.objects.filter(is_active=True).exclude(kind__in=[UnitKind.CITY, UnitKind.GRID])
    if scope is not None:
        units = units.filter(pk__in=scope)
    return {
        "towns": Unit.objects.filter(kind=UnitKind.TOWN, is_active=True).values_list("id", "name"),
        "units": units.values_list("id", "name"),
        "categories": Category.objects.filter(parent__isnull=True).values_list("id", "name"),
        "channels": Channel.choices,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The analyst page: filters, KPI table by a dimension (each figure drills down), charts."""
    user = viewer(request)
    filters = parse_filters(request)
    requested = request.GET.get("dim") or "unit"
    dimension = requested if requested in selectors.DIMENSIONS else "unit"
    rows, total = selectors.kpi_table(user=user, filters=filters, dimension=dimension)
    filter_key = {"unit": "unit", "town": "town", "category_l1": "category", "channel": "channel"}[dimension]
    table = [
        {
            "row": row,
            "cells": exports.kpi_cells(row),
            "late_url": drill_url(filters, "close_late", **{filter_key: row.key}),
            "dissatisfied_url": drill_url(filters, "dissatisfied", **{filter_key: row.key}),
            "overdue_url": drill_url(filters, "close_overdue_open", **{filter_key: row.key}),
        }
        for row in rows
    ]
    totals = selectors.appeal_totals(user=user, filters=filters)
    chart_data = {
        "daily": [[d.isoformat(), n] for d, n in selectors.daily_received(user=user, filters=filters)],
        "channel": [[label, n] for _, label, n in selectors.volume_by(user=user, filters=filters, dimension="channel")],
        "category": [
            [label, n] for _, label, n in selectors.volume_by(user=user, filters=filters, dimension="category_l1")[:10]
        ],
        "ranking": [[r.label, r.kpi.composite] for r in rows if r.kpi.composite is not None][:15],
    }
    return render(
        request,
        "reports/index.html",
        {
            "filters": filters,
            "dimension": dimension,
            "dimension_labels": DIMENSION_LABELS,
            "dimension_label": DIMENSION_LABELS[dimension],
            "headers": exports.KPI_HEADERS,
            "table": table,
            "total": total,
            "total_cells": exports.kpi_cells(selectors.KpiRow(None, "合计", total)),
            "totals": totals,
            "received_url": drill_url(filters, "received"),
            "chart_data": chart_data,
            "choices": _filter_choices(user),
            "centre_wide": selectors.report_scope(user) is None,
            "nav_active": "analysis",
        },
    )


@login_required
def drill(request: HttpRequest) -> HttpResponse:
    """The appeals behind a figure (at most 200, newest first), each linking to the appeal's detail page."""
    user = viewer(request)
    filters = parse_filters(request)
    metric = request.GET.get("metric", "")
    if metric not in selectors.DRILL_METRICS:
        metric = "received"
    appeals = selectors.drill_appeals(user=user, metric=metric, filters=filters, now=clock.now())
    return render(
        request,
        "reports/drill.html",
        {
            "filters": filters,
            "metric": metric,
            "metric_label": selectors.DRILL_METRICS[metric],
            "appeals": appeals,
            "back_url": reverse("reports:index") + "?" + urlencode(filters.query()),
            "nav_active": "analysis",
        },
    )


def _month(request: HttpRequest) -> tuple[int, int]:
    today = clock.local_date()
    text = request.GET.get("month") or ""
    try:
        year, month = (int(p) for p in text.split("-", 1))
        first = dt.date(year, month, 1)
    except ValueError:
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.year, last.month
    rules.period_year_check(first)
    return year, month


@login_required
def monthly_page(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    year, month = _month(request)
    report = monthly.monthly_report(user=user, year=year, month=month, now=clock.now())
    chart_data = {
        "daily": [[d.day, n] for d, n in report.daily],
        "channel": [[r["label"], r["count"]] for r in report.breakdowns["channel"].rows],
        "category": [[r["label"], r["count"]] for r in report.breakdowns["category_l1"].rows[:10]],
        "hotspots": report.hotspots,
    }
    return render(
        request,
        "reports/monthly.html",
        {
            "report": report,
            "month_value": f"{year:04d}-{month:02d}",
            "sections": exports.monthly_sections(report),
            "chart_data": chart_data,
            "nav_active": "analysis",
        },
    )


@login_required
def monthly_export(request: HttpRequest, fmt: str) -> HttpResponse:
    user = viewer(request)
    year, month = _month(request)
    report = monthly.monthly_report(user=user, year=year, month=month, now=clock.now())
    makers = {"xlsx": exports.monthly_xlsx, "docx": exports.monthly_docx, "pdf": exports.monthly_pdf}
    if fmt not in makers:
        raise PermissionDenied(_("不支持的导出格式"))
    response = HttpResponse(makers[fmt](report), content_type=CONTENT_TYPES[fmt])
    filename = f"monthly-{year:04d}-{month:02d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def dashboard_viewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not selectors.sees_centre_wide(user):
        raise PermissionDenied(_("指挥大屏仅供中心使用"))
    return user


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    dashboard_viewer(request)
    refresh = int(selectors.config().get("DASHBOARD_REFRESH_SECONDS", 15))
    return render(request, "reports/dashboard.html", {"refresh_seconds": max(refresh, 2)})


@never_cache
@login_required
def dashboard_json(request: HttpRequest) -> JsonResponse:
    user = dashboard_viewer(request)
    return JsonResponse(dashboard.dashboard_data(user=user, now=clock.now()))


@login_required
def dashboard_map(request: HttpRequest) -> JsonResponse:
    dashboard_viewer(request)
    return JsonResponse(dashboard.map_layers())
