"""Reads for the reports: who sees which figures, the KPI table, volumes and the appeals behind a figure.

Scope (DESIGN §7): analysts, leaders, administrators and dispatchers see the whole centre; unit heads, handlers and
grid workers see the figures of their own unit (and its sub-units); anyone else sees nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet, Sum

from shanzhi.appeals.models import Appeal, AppealState, AppealType, Channel
from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.core import clock
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.reports import facts, rules
from shanzhi.reports.models import DailyAppealFact, DailyUnitFact
from shanzhi.routing.models import Category

DIMENSIONS = ("unit", "town", "category_l1", "channel")
APPEAL_COUNTERS = ("received", "merged", "answered", "rejected", "closed")


def config() -> dict:
    """``settings.SHANZHI_REPORTS``: SATISFACTION_WEIGHTS, COMPOSITE_WEIGHTS, DASHBOARD_REFRESH_SECONDS."""
    return dict(getattr(settings, "SHANZHI_REPORTS", {}) or {})


def sees_centre_wide(user: User) -> bool:
    """Every unit's figures: a reporting role held where the holder sees every appeal (a dispatcher of the centre,
    not of a town, whose figures are its own unit's)."""
    return permissions.sees_every_units_figures(user)


def report_scope(user: User) -> frozenset[int] | None:
    """None: every unit. Otherwise the ids of the units whose figures ``user`` may see (empty: none)."""
    return permissions.report_unit_ids(user)


def may_view_reports(user: User) -> bool:
    scope = report_scope(user)
    return scope is None or bool(scope)


@dataclass(frozen=True)
class Filters:
    """The analyst's filters: a period and optional town, unit, level-1 category and channel."""

    period: rules.Period
    town: int | None = None
    unit: int | None = None
    category: int | None = None
    channel: str | None = None

    def query(self) -> dict[str, str]:
        out = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        for name in ("town", "unit", "category", "channel"):
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = str(value)
        return out


def _unit_facts(filters: Filters, scope: frozenset[int] | None) -> QuerySet[DailyUnitFact]:
    qs = DailyUnitFact.objects.filter(date__gte=filters.period.start, date__lte=filters.period.end)
    if scope is not None:
        qs = qs.filter(unit__in=scope)
    if filters.town:
        qs = qs.filter(town=filters.town)
    if filters.unit:
        qs = qs.filter(unit=filters.unit)
    if filters.category:
        qs = qs.filter(category_l1=filters.category)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    return qs


def _appeal_facts(filters: Filters, scope: frozenset[int] | None) -> QuerySet[DailyAppealFact]:
    qs = DailyAppealFact.objects.filter(date__gte=filters.period.start, date__lte=filters.period.end)
    if scope is not None:
        qs = qs.filter(Q(lead_unit__in=scope) | Q(town__in=scope))
    if filters.town:
        qs = qs.filter(town=filters.town)
    if filters.unit:
        qs = qs.filter(lead_unit=filters.unit)
    if filters.category:
        qs = qs.filter(category_l1=filters.category)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    return qs


@dataclass
class KpiRow:
    key: object
    label: str
    kpi: rules.Kpi
    rank: int = 0
    extra: dict = field(default_factory=dict)


def labels_for(dimension: str, keys: list) -> dict:
    if dimension in ("unit", "town"):
        return dict(Unit.objects.filter(pk__in=[k for k in keys if k]).values_list("id", "name"))
    if dimension == "category_l1":
        return dict(Category.objects.filter(pk__in=[k for k in keys if k]).values_list("id", "name"))
    if dimension == "channel":
        return {k: str(v) for k, v in Channel.choices}
    if dimension == "appeal_type":
        return {k: str(v) for k, v in AppealType.choices}
    return {}


def _weights() -> tuple[Mapping[str, float] | None, Mapping[str, float] | None]:
    cfg = config()
    return cfg.get("SATISFACTION_WEIGHTS"), cfg.get("COMPOSITE_WEIGHTS")


def kpi_table(*, user: User, filters: Filters, dimension: str = "unit") -> tuple[list[KpiRow], rules.Kpi]:
    """One row per value of ``dimension`` with its KPIs and rank (by composite score), and the total."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    scope = report_scope(user)
    if scope is not None and not scope:
        return [], rules.kpi_from_counts(rules.KpiCounts())
    sums = {name: Sum(name) for name in rules.COUNTER_NAMES}
    grouped = _unit_facts(filters, scope).values(dimension).annotate(**sums).order_by()
    sat_w, comp_w = _weights()
    rows: list[KpiRow] = []
    for values in grouped:
        counts = rules.KpiCounts.from_mapping(values)
        rows.append(KpiRow(values[dimension], "", rules.kpi_from_counts(counts, satisfaction_weights=sat_w,
                                                                          composite_weights=comp_w)))  # fmt: skip
    names = labels_for(dimension, [r.key for r in rows])
    ranks = rules.rank(((r.key, r.kpi.composite) for r in rows), {r.key: rules.rank_tiebreak(r.kpi) for r in rows})
    for row in rows:
        row.label = str(names.get(row.key, "未划分" if row.key is None else row.key))
        row.rank = ranks.get(row.key, 0)
    rows.sort(key=lambda r: (r.rank == 0, r.rank, r.label))
    total = rules.kpi_from_counts(
        rules.sum_counts(r.kpi.counts for r in rows), satisfaction_weights=sat_w, composite_weights=comp_w
    )
    return rows, total


def volume_by(*, user: User, filters: Filters, dimension: str) -> list[tuple[object, str, int]]:
    """Appeals received (merged duplicates excluded) per channel / appeal_type / category_l1 / town / date."""
    scope = report_scope(user)
    if scope is not None and not scope:
        return []
    qs = _appeal_facts(filters, scope).values(dimension).annotate(n=Sum("received")).order_by("-n")
    rows = [(r[dimension], r["n"] or 0) for r in qs]
    names = labels_for(dimension, [k for k, _ in rows])
    return [(k, str(names.get(k, "未划分" if k is None else k)), n) for k, n in rows if n]


def appeal_totals(*, user: User, filters: Filters) -> dict[str, int]:
    scope = report_scope(user)
    if scope is not None and not scope:
        return dict.fromkeys(APPEAL_COUNTERS, 0)
    agg = _appeal_facts(filters, scope).aggregate(**{n: Sum(n) for n in APPEAL_COUNTERS})
    return {n: int(agg[n] or 0) for n in APPEAL_COUNTERS}


def daily_received(*, user: User, filters: Filters) -> list[tuple[dt.date, int]]:
    scope = report_scope(user)
    if scope is not None and not scope:
        return []
    qs = _appeal_facts(filters, scope).values("date").annotate(n=Sum("received")).order_by("date")
    found = {r["date"]: int(r["n"] or 0) for r in qs}
    p = filters.period
    return [(p.start + dt.timedelta(days=i), found.get(p.start + dt.timedelta(days=i), 0)) for i in range(p.days)]


# --- drill-down ---------------------------------------------------------------------------------------------

DRILL_METRICS: dict[str, str] = {
    "received": "受理量",
    "assigned": "派单量",
    "returned": "退回",
    "extended": "延期",
    "sign_late": "未按时签收",
    "contact_late": "未按时联系",
    "close_due": "应办结",
    "close_late": "未按期办结",
    "close_overdue_open": "超期未办结",
    "redone": "重办",
    "dissatisfied": "不满意",
    "unresolved": "未解决",
}


def drill_appeals(*, user: User, metric: str, filters: Filters, now: dt.datetime, limit: int = 200) -> list[Appeal]:
    """The appeals behind one figure, by the same definitions as the facts, within ``user``'s scopes."""
    lo, hi = rules.local_bounds(filters.period, clock.centre_tz())
    assignment_sets = {
        "assigned": lambda: facts.assigned_rows(lo, hi),
        "returned": lambda: facts.assigned_rows(lo, hi).filter(state="returned"),
        "extended": lambda: facts.assigned_rows(lo, hi).filter(facts.EXTENDED),
        "sign_late": lambda: facts.sign_rows(lo, hi, now).exclude(facts.SIGN_ON_TIME),
        "contact_late": lambda: facts.contact_rows(lo, hi, now).exclude(facts.CONTACT_ON_TIME),
        "close_due": lambda: facts.close_rows(lo, hi, now),
        "close_late": lambda: facts.close_rows(lo, hi, now).exclude(facts.CLOSE_ON_TIME),
        "close_overdue_open": lambda: facts.close_rows(lo, hi, now).filter(facts.overdue_open(now)),
        "redone": lambda: facts.done_rows(lo, hi).filter(facts.REDONE),
    }
    scope = report_scope(user)
    if scope is not None and not scope:
        return []
    if metric == "received":
        appeals = facts.appeal_rows(lo, hi).exclude(state=AppealState.MERGED)
        if filters.unit:
            appeals = appeals.filter(lead_unit_id=filters.unit)
        if scope is not None:
            appeals = appeals.filter(Q(lead_unit_id__in=scope) | Q(area_id__in=scope))
    elif metric in assignment_sets:
        rows = assignment_sets[metric]()
        if filters.unit:
            rows = rows.filter(unit_id=filters.unit)
        if scope is not None:
            rows = rows.filter(unit_id__in=scope)
        appeals = Appeal.objects.filter(pk__in=rows.values("appeal_id"))
    elif metric in ("dissatisfied", "unresolved"):
        ups = facts.follow_up_rows(lo, hi).annotate(lead_unit=facts.round_lead_unit())
        ups = ups.filter(rating="dissatisfied") if metric == "dissatisfied" else ups.filter(resolved=False)
        if filters.unit:
            ups = ups.filter(lead_unit=filters.unit)
        if scope is not None:
            ups = ups.filter(lead_unit__in=scope)
        appeals = Appeal.objects.filter(pk__in=ups.values("appeal_id"))
    else:
        return []
    if filters.town:
        town = Unit.objects.filter(pk=filters.town, kind=UnitKind.TOWN).first()
        appeals = appeals.filter(area_path__startswith=town.path) if town else appeals.none()
    if filters.category:
        appeals = appeals.filter(category_id__in=facts.category_subtree(filters.category))
    if filters.channel:
        appeals = appeals.filter(channel=filters.channel)
    visible = appeals_visible_to(user).filter(pk__in=appeals.values("pk")) if scope is not None else appeals
    return list(visible.select_related("category", "lead_unit").order_by("-created_at")[:limit])
