"""The grid section of the monthly report (月报), through the kernel's registry (``core.report_sections``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shanzhi.core.report_sections import ReportPeriod, ReportSection
from shanzhi.grid.selectors import grid_kpis
from shanzhi.orgs.models import Unit, UnitKind

HEADER = ["网格编码", "网格", "巡查次数", "巡查天数", "打卡次数", "问题上报", "核查通过", "核查未通过", "核查及时率"]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def grid_kpis_section(period: ReportPeriod) -> ReportSection | None:
    """Per grid in the viewer's scope: patrols, check-ins, reports, verifications; coverage in the summary."""
    grids = Unit.objects.filter(kind=UnitKind.GRID, is_active=True).order_by("code")
    if period.unit_ids is not None:
        grids = grids.filter(pk__in=period.unit_ids)
    if not grids.exists():
        return None
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    kpis = grid_kpis(grids=grids, start=start, end=end)
    active = [g for g in kpis.grids if g.patrols or g.reports or g.verified or g.verified_failed]
    rows: list[list[object]] = [
        [g.code, g.name, g.patrols, g.patrol_days, g.checkins, g.reports, g.verified, g.verified_failed, g.timeliness]
        for g in (active or kpis.grids)[:500]
    ]
    summary = [
        f"本期 {kpis.grid_count} 个网格中 {kpis.patrolled} 个有巡查记录，巡查覆盖率 {_pct(kpis.coverage)}；"
        f"网格员上报问题 {kpis.reports} 件，现场核查通过 {kpis.verified} 件、未通过 {kpis.verified_failed} 件，"
        f"反馈后 48 小时内核查的比例 {_pct(kpis.timeliness)}。"
    ]
    if active and len(active) < kpis.grid_count:
        summary.append(f"表中列出有工作记录的 {len(active)} 个网格。")
    return ReportSection(
        key="grid",
        title="网格化管理",
        header=HEADER,
        rows=rows,
        summary=summary,
        percent_columns=frozenset({8}),
    )
