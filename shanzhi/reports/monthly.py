"""The monthly analysis (月报分析): volumes by channel, type, category and town with their trends, hotspots, unit
rankings, satisfaction and the written summary. Everything comes from the daily facts except the hotspots (grid-level
places of this month's appeals), read from the appeals through the month's created-at index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext

from shanzhi.appeals.models import AppealState
from shanzhi.core import clock, report_sections
from shanzhi.orgs.models import Unit, User
from shanzhi.reports import facts, rules, selectors


@dataclass
class Breakdown:
    title: str
    rows: list[dict]  # {"key", "label", "count", "previous", "change", "share"}


@dataclass
class MonthlyReport:
    period: rules.Period
    issuer: str
    generated_at: dt.datetime
    totals: dict[str, int]
    previous_total: int
    last_year_total: int
    breakdowns: dict[str, Breakdown]
    daily: list[tuple[dt.date, int]]
    hotspots: list[dict]
    ranking: list[selectors.KpiRow]
    total_kpi: rules.Kpi
    summary: list[str]
    extra_sections: list[report_sections.ReportSection]

    @property
    def title(self) -> str:
        start = self.period.start
        return gettext("%(year)s年%(month)s月诉求办理分析报告") % {"year": start.year, "month": start.month}

    @property
    def mom(self) -> float | None:
        return rules.pct_change(self.totals["received"], self.previous_total)

    @property
    def yoy(self) -> float | None:
        return rules.pct_change(self.totals["received"], self.last_year_total)


BREAKDOWNS = (
    ("channel", "来源渠道"),
    ("appeal_type", "诉求类型"),
    ("category_l1", "诉求分类（一级）"),
    ("town", "镇街分布"),
)


def _breakdown(
    user: User, title: str, dimension: str, current: selectors.Filters, previous: selectors.Filters
) -> Breakdown:
    now_rows = selectors.volume_by(user=user, filters=current, dimension=dimension)
    before = {key: n for key, _, n in selectors.volume_by(user=user, filters=previous, dimension=dimension)}
    total = sum(n for _, _, n in now_rows) or 1
    rows = [
        {
            "key": key,
            "label": label,
            "count": n,
            "previous": before.get(key, 0),
            "change": rules.pct_change(n, before.get(key, 0)),
            "share": n / total,
        }
        for key, label, n in now_rows
    ]
    return Breakdown(title, rows)


def hotspots(*, user: User, period: rules.Period, limit: int = 10) -> list[dict]:
    """The places (grids, else the recorded area) with most appeals this month, with their coordinates."""
    lo, hi = rules.local_bounds(period, clock.centre_tz())
    qs = facts.appeal_rows(lo, hi).exclude(state=AppealState.MERGED).filter(area__isnull=False)
    scope = selectors.report_scope(user)
    if scope is not None:
        qs = qs.filter(Q(lead_unit_id__in=scope) | Q(area_id__in=scope))
    rows = list(qs.values("area_id").annotate(n=Count("id")).order_by("-n")[:limit])
    units = Unit.objects.in_bulk([r["area_id"] for r in rows])
    out = []
    for r in rows:
        unit = units.get(r["area_id"])
        if unit is None:
            continue
        parent = unit.parent.name if unit.parent_id and unit.parent else ""
        out.append(
            {
                "unit_id": unit.pk,
                "name": unit.name,
                "parent": parent,
                "count": r["n"],
                "lon": unit.longitude,
                "lat": unit.latitude,
            }
        )
    return out


def monthly_report(*, user: User, year: int, month: int, now: dt.datetime, issuer: str = "") -> MonthlyReport:
    period = rules.month_period(year, month)
    previous = rules.previous_month(period)
    last_year = rules.same_month_last_year(period)
    cur_f = selectors.Filters(period)
    prev_f = selectors.Filters(previous)
    totals = selectors.appeal_totals(user=user, filters=cur_f)
    previous_total = selectors.appeal_totals(user=user, filters=prev_f)["received"]
    last_year_total = selectors.appeal_totals(user=user, filters=selectors.Filters(last_year))["received"]
    breakdowns = {dim: _breakdown(user, title, dim, cur_f, prev_f) for dim, title in BREAKDOWNS}
    ranking, total_kpi = selectors.kpi_table(user=user, filters=cur_f, dimension="unit")
    ranked = [r for r in ranking if r.rank]
    extra = report_sections.monthly_sections(
        report_sections.ReportPeriod(
            start=period.start, end=period.end, unit_ids=selectors.report_scope(user), user=user
        )
    )
    top = breakdowns["category_l1"].rows
    figures = rules.MonthFigures(
        received=totals["received"],
        previous_received=previous_total,
        last_year_received=last_year_total,
        top_categories=[(r["label"], r["count"]) for r in top[:3]],
        top_channel=(lambda rows: (rows[0]["label"], rows[0]["count"]) if rows else None)(breakdowns["channel"].rows),
        top_town=(lambda rows: (rows[0]["label"], rows[0]["count"]) if rows else None)(breakdowns["town"].rows),
        on_time_close_rate=total_kpi.on_time_close_rate,
        satisfaction_rate=total_kpi.satisfaction_rate,
        best_unit=ranked[0].label if ranked else None,
        worst_unit=ranked[-1].label if len(ranked) > 1 else None,
    )
    return MonthlyReport(
        period=period,
        issuer=issuer or issuer_name(),
        generated_at=now,
        totals=totals,
        previous_total=previous_total,
        last_year_total=last_year_total,
        breakdowns=breakdowns,
        daily=selectors.daily_received(user=user, filters=cur_f),
        hotspots=hotspots(user=user, period=period),
        ranking=ranking,
        total_kpi=total_kpi,
        summary=rules.summary_sentences(figures) + [s for section in extra for s in section.summary],
        extra_sections=extra,
    )


def issuer_name() -> str:
    """The centre's name, as the reports are issued in it."""
    from django.conf import settings

    code = settings.SHANZHI.get("CENTRE_CODE", "")
    unit = Unit.objects.filter(code=code).only("name").first()
    return unit.name if unit else "区域社会治理中心"
