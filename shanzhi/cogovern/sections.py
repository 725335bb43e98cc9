"""The co-governance section of the monthly report (core.report_sections): demands, matched rate, projects
finished and volunteer hours, by community, in the viewer's scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from shanzhi.cogovern import publicity, rules, selectors
from shanzhi.core import clock
from shanzhi.core.report_sections import ReportPeriod, ReportSection


def local_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) at the centre, as aware datetimes."""
    tz = clock.centre_tz()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def cogovern_section(period: ReportPeriod) -> ReportSection | None:
    start, end = local_bounds(period.start, period.end)
    rows = selectors.figures(start=start, end=end, unit_ids=period.unit_ids)
    if not rows:
        return None
    demands = sum(r.demands for r in rows)
    matched = sum(r.matched for r in rows)
    finished = sum(r.projects_finished for r in rows)
    hours = rules.total_hours(r.volunteer_hours for r in rows)
    rate = rules.matched_rate(demands=demands, matched=matched)
    table: list[list[object]] = [
        [r.community, r.demands, r.matched, r.matched_rate or 0.0, r.projects_finished, float(r.volunteer_hours)]
        for r in rows
    ]
    table.append([_("合计"), demands, matched, rate or 0.0, finished, float(hours)])
    summary = _(
        "多元共治：本月居民需求 %(demands)s 件，匹配资源 %(matched)s 件（匹配率 %(rate)s），"
        "完成项目 %(finished)s 个，志愿服务 %(hours)s 小时。"
    ) % {
        "demands": demands,
        "matched": matched,
        "rate": f"{rate:.1%}" if rate is not None else "—",
        "finished": finished,
        "hours": format(Decimal(hours).quantize(Decimal("0.1")).normalize(), "f"),
    }
    return ReportSection(
        key="cogovern",
        title=_("多元共治"),
        header=[_("社区"), _("需求(件)"), _("已匹配(件)"), _("匹配率"), _("完成项目(个)"), _("志愿服务(小时)")],
        rows=table,
        summary=[summary],
        percent_columns=frozenset({3}),
    )


def publicity_section(period: ReportPeriod) -> ReportSection | None:
    """Legal publicity: reads and plays in the month, by the four forces. District-wide content, so the same for
    every viewer (no personal data, no unit's figures)."""
    rows = publicity.figures(start=period.start, end=period.end)
    if not rows:
        return None
    reads = sum(r.articles_read for r in rows)
    plays = sum(r.videos_played for r in rows)
    table: list[list[object]] = [[r.force, r.articles_read, r.videos_played] for r in rows]
    table.append([_("合计"), reads, plays])
    return ReportSection(
        key="publicity",
        title=_("普法宣传"),
        header=[_("发布力量"), _("阅读(次)"), _("播放(次)")],
        rows=table,
        summary=[_("普法宣传：本月阅读 %(reads)s 次，短视频播放 %(plays)s 次。") % {"reads": reads, "plays": plays}],
    )
