"""Mediation KPIs and the monthly report's section (registered in :mod:`shanzhi.core.report_sections`).

For the cases registered in the period (local dates) and in the viewer's scope (``unit_ids``: the case's area):
accepted (受理), resolved (调结: agreement or referral), agreements (达成协议), the agreement rate (agreements /
resolved), the performance rate (agreements whose latest follow-up found them fully performed / agreements followed
up), and the average days from registration to resolution.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from shanzhi.core import clock
from shanzhi.core.report_sections import ReportPeriod, ReportSection
from shanzhi.mediation import rules
from shanzhi.mediation.models import Case, Domain, FollowUp, Performance


@dataclass
class DomainFigures:
    accepted: int = 0
    resolved: int = 0
    agreements: int = 0
    followed: int = 0
    performed: int = 0
    days_total: float = 0.0

    @property
    def agreement_rate(self) -> float | None:
        return rules.rate(self.agreements, self.resolved)

    @property
    def performance_rate(self) -> float | None:
        return rules.rate(self.performed, self.followed)

    @property
    def average_days(self) -> float | None:
        return round(self.days_total / self.resolved, 1) if self.resolved else None


def figures_by_domain(*, start: dt.date, end: dt.date, unit_ids: frozenset[int] | None) -> dict[str, DomainFigures]:
    tz = clock.centre_tz()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    cases = Case.objects.filter(created_at__gte=since, created_at__lt=until)
    if unit_ids is not None:
        cases = cases.filter(unit_id__in=unit_ids)
    rows = list(cases.values("id", "domain", "created_at", "resolved_at", "agreement__id"))
    latest: dict[int, str] = {}
    for follow_up in FollowUp.objects.filter(case_id__in=[r["id"] for r in rows]).order_by("at", "id"):
        latest[follow_up.case_id] = follow_up.performance
    figures: dict[str, DomainFigures] = defaultdict(DomainFigures)
    for row in rows:
        f = figures[row["domain"]]
        f.accepted += 1
        if row["resolved_at"] is not None:
            f.resolved += 1
            f.days_total += (row["resolved_at"] - row["created_at"]).total_seconds() / 86400
        if row["agreement__id"] is not None:
            f.agreements += 1
            if row["id"] in latest:
                f.followed += 1
                f.performed += latest[row["id"]] == Performance.FULL
    return dict(figures)


def _total(figures: dict[str, DomainFigures]) -> DomainFigures:
    total = DomainFigures()
    for f in figures.values():
        total.accepted += f.accepted
        total.resolved += f.resolved
        total.agreements += f.agreements
        total.followed += f.followed
        total.performed += f.performed
        total.days_total += f.days_total
    return total


HEADER = ["纠纷领域", "受理(件)", "调结(件)", "达成协议(件)", "协议率", "履行率", "平均用时(天)"]


def _or_dash(value: float | None) -> object:
    """No figure (nothing to divide) is shown as a dash in the page and the files, not as "None"."""
    return "—" if value is None else value


def _row(label: str, f: DomainFigures) -> list[object]:
    return [label, f.accepted, f.resolved, f.agreements] + [
        _or_dash(v) for v in (f.agreement_rate, f.performance_rate, f.average_days)
    ]


def mediation_section(period: ReportPeriod) -> ReportSection | None:
    figures = figures_by_domain(start=period.start, end=period.end, unit_ids=period.unit_ids)
    if not figures:
        return None
    labels = dict(Domain.choices)
    rows = [_row(str(labels.get(code, code)), figures[code]) for code in Domain.values if code in figures]
    total = _total(figures)
    rows.append(_row("合计", total))

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    summary = [
        f"本期受理矛盾纠纷 {total.accepted} 件，调结 {total.resolved} 件，达成调解协议 {total.agreements} 件，"
        f"协议率 {pct(total.agreement_rate)}，回访履行率 {pct(total.performance_rate)}。"
    ]
    return ReportSection(
        key="mediation",
        title="矛盾纠纷调解",
        header=HEADER,
        rows=rows,
        summary=summary,
        percent_columns=frozenset({4, 5}),
    )


COMMITTEE_HEADER = ["调解委员会(队伍)", "所属单位", "受理(件)", "办结(件)", "办结率", "调解成功率", "平均用时(天)"]


def mediation_committee_section(period: ReportPeriod) -> ReportSection | None:
    """By committee (team) and the unit it is seated at (stationed department or town): accepted, closed, the
    closed rate and the success rate (agreements / resolved) of the period's assigned cases."""
    tz = clock.centre_tz()
    since = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    cases = Case.objects.filter(created_at__gte=since, created_at__lt=until, committee__isnull=False)
    if period.unit_ids is not None:
        cases = cases.filter(unit_id__in=period.unit_ids)
    rows_by: dict[tuple[str, str], list[float]] = {}
    values = cases.values(
        "committee__name", "committee__unit__name", "state", "created_at", "resolved_at", "agreement__id"
    )
    for row in values:
        key = (row["committee__name"], row["committee__unit__name"])
        acc = rows_by.setdefault(key, [0, 0, 0, 0, 0.0])  # accepted, closed, resolved, agreements, days
        acc[0] += 1
        acc[1] += row["state"] == "closed"
        if row["resolved_at"] is not None:
            acc[2] += 1
            acc[4] += (row["resolved_at"] - row["created_at"]).total_seconds() / 86400
        acc[3] += row["agreement__id"] is not None
    if not rows_by:
        return None
    rows: list[list[object]] = [
        [name, unit, int(a[0]), int(a[1]), _or_dash(rules.rate(int(a[1]), int(a[0]))),
         _or_dash(rules.rate(int(a[3]), int(a[2]))), _or_dash(round(a[4] / a[2], 1) if a[2] else None)]
        for (name, unit), a in sorted(rows_by.items())
    ]  # fmt: skip
    return ReportSection(
        key="mediation_committees",
        title="矛盾纠纷调解（按调解委员会）",
        header=COMMITTEE_HEADER,
        rows=rows,
        percent_columns=frozenset({4, 5}),
    )
