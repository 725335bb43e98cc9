"""The command dashboard (指挥大屏): today's live counts, today's appeals on the map, the KPI gauges (month to date,
from the facts) and the latest events. No personal data leaves here: events carry kind, tracking number and unit.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext

from shanzhi.appeals.models import (
    OPEN_STATES,
    Appeal,
    AppealEvent,
    AppealState,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Channel,
    EventKind,
)
from shanzhi.core import clock
from shanzhi.orgs.models import Boundary, UnitKind, User
from shanzhi.proactive.selectors import hotspots_live
from shanzhi.reports import rules, selectors

MAX_POINTS = 3000
EVENTS = 20


def _local_time(moment: dt.datetime) -> str:
    return moment.astimezone(clock.centre_tz()).strftime("%H:%M:%S")


def live_counts(*, now: dt.datetime) -> dict[str, int]:
    today = rules.Period(clock.local_date(now), clock.local_date(now))
    lo, hi = rules.local_bounds(today, clock.centre_tz())
    received = Appeal.objects.filter(created_at__gte=lo, created_at__lt=hi).exclude(state=AppealState.MERGED)
    running = Assignment.objects.filter(state__in=[AssignmentState.PENDING, AssignmentState.SIGNED])
    warnings = running.aggregate(
        overdue=Count("id", filter=Q(due_at__lt=now)),
        red=Count("id", filter=Q(warning="red")),
        yellow=Count("id", filter=Q(warning="yellow")),
    )
    return {
        "received_today": received.count(),
        "dispatched_today": Assignment.objects.filter(
            dispatched_at__gte=lo, dispatched_at__lt=hi, role=AssignmentRole.LEAD
        ).count(),
        "closed_today": Appeal.objects.filter(
            closed_at__gte=lo, closed_at__lt=hi, state__in=[AppealState.CLOSED, AppealState.ANSWERED]
        ).count(),
        "open_total": Appeal.objects.filter(state__in=OPEN_STATES).count(),
        "overdue": warnings["overdue"] or 0,
        "red": warnings["red"] or 0,
        "yellow": warnings["yellow"] or 0,
        # Clusters of similar appeals in one community (主动治理): open or acknowledged hotspot alerts.
        "hotspots": hotspots_live().count(),
    }


def dashboard_data(*, user: User, now: dt.datetime) -> dict:
    today = clock.local_date(now)
    lo, hi = rules.local_bounds(rules.Period(today, today), clock.centre_tz())
    todays = Appeal.objects.filter(created_at__gte=lo, created_at__lt=hi).exclude(state=AppealState.MERGED)
    channels = dict(Channel.choices)
    by_channel = [
        {"name": gettext(str(channels.get(r["channel"], r["channel"]))), "value": r["n"]}
        for r in todays.values("channel").annotate(n=Count("id")).order_by("-n")
    ]
    points = [
        {"lon": lon, "lat": lat, "no": no, "state": gettext(str(AppealState(state).label)), "warning": warning}
        for lon, lat, no, state, warning in todays.filter(longitude__isnull=False, latitude__isnull=False)
        .order_by("-created_at")
        .values_list("longitude", "latitude", "tracking_no", "state", "warning")[:MAX_POINTS]
    ]
    kinds = dict(EventKind.choices)
    events = [
        {
            "time": _local_time(e.created_at),
            "kind": gettext(str(kinds.get(e.kind, e.kind))),
            "no": e.appeal.tracking_no,
            "unit": e.actor_unit.name if e.actor_unit else "",
        }
        for e in AppealEvent.objects.exclude(kind__in=[EventKind.NOTE, EventKind.ATTACHED])
        .select_related("appeal", "actor_unit")
        .only("created_at", "kind", "appeal__tracking_no", "actor_unit__name")
        .order_by("-created_at", "-id")[:EVENTS]
    ]
    month = rules.Period(today.replace(day=1), today)
    _, total = selectors.kpi_table(user=user, filters=selectors.Filters(month), dimension="unit")
    gauges = [
        {"name": gettext("响应率"), "value": _pct(total.response_rate)},
        {"name": gettext("按期办结率"), "value": _pct(total.on_time_close_rate)},
        {"name": gettext("满意率"), "value": _pct(total.satisfaction_rate)},
        {"name": gettext("综合得分"), "value": total.composite},
    ]
    return {
        "now": now.astimezone(clock.centre_tz()).strftime("%Y-%m-%d %H:%M:%S"),
        "counts": live_counts(now=now),
        "by_channel": by_channel,
        "points": points,
        "events": events,
        "gauges": gauges,
    }


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def map_layers() -> dict:
    """The district outline and the grid polygons as GeoJSON FeatureCollections (no tiles are used)."""
    district_code = settings.SHANZHI.get("DISTRICT_CODE", "")
    outline = (
        Boundary.objects.filter(unit__code=district_code, is_current=True).select_related("unit").first()
        or Boundary.objects.filter(unit__kind=UnitKind.DISTRICT, is_current=True).select_related("unit").first()
    )
    grids = Boundary.objects.filter(unit__kind=UnitKind.GRID, is_current=True).select_related("unit")
    return {
        "district": {
            "type": "FeatureCollection",
            "features": [_feature(outline)] if outline else [],
        },
        "grids": {"type": "FeatureCollection", "features": [_feature(b) for b in grids]},
    }


def _feature(boundary: Boundary) -> dict:
    geometry = boundary.geojson
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    return {"type": "Feature", "properties": {"name": boundary.unit.name}, "geometry": geometry}
