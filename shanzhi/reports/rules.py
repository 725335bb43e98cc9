"""Pure KPI rules: rates from counters, the composite score, periods, changes and the summary sentences.

No ORM and no clock here: the counters and the time are passed in (DESIGN §10.5). The counting rules that produce
the counters are in docs/kpi.md and :mod:`shanzhi.reports.facts`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shanzhi.core import api_types
from shanzhi.core.errors import ValidationFailed

# 满意 and 基本满意 count fully by default; 不满意 counts nothing. Configurable in settings.SHANZHI_REPORTS.
DEFAULT_SATISFACTION_WEIGHTS: dict[str, float] = {"satisfied": 1.0, "fairly_satisfied": 1.0, "dissatisfied": 0.0}
# The composite score (综合考评): response 20 %, on-time completion 30 %, resolution 25 %, satisfaction 25 %.
# On-time completion weighs most: a unit that answers the phone and pleases the citizen but finishes late must not
# rank with one that finishes on time (before it was not in the score at all, and units at 0 % tied at 100).
DEFAULT_COMPOSITE_WEIGHTS: dict[str, float] = {
    "response": 0.20,
    "on_time_close": 0.30,
    "resolution": 0.25,
    "satisfaction": 0.25,
}

COUNTER_NAMES = (
    "assigned",
    "returned",
    "extended",
    "sign_due",
    "sign_on_time",
    "contact_due",
    "contact_on_time",
    "close_due",
    "close_on_time",
    "close_overdue_open",
    "done",
    "done_lead",
    "handling_seconds",
    "redone",
    "followed_up",
    "satisfied",
    "fairly_satisfied",
    "dissatisfied",
    "resolved_known",
    "resolved",
)


@dataclass
class KpiCounts:
    """The additive counters behind the KPIs of one unit/town/category/channel over a period."""

    assigned: int = 0
    returned: int = 0
    extended: int = 0
    sign_due: int = 0
    sign_on_time: int = 0
    contact_due: int = 0
    contact_on_time: int = 0
    close_due: int = 0
    close_on_time: int = 0
    close_overdue_open: int = 0
    done: int = 0
    done_lead: int = 0
    handling_seconds: int = 0
    redone: int = 0
    followed_up: int = 0
    satisfied: int = 0
    fairly_satisfied: int = 0
    dissatisfied: int = 0
    resolved_known: int = 0
    resolved: int = 0

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> KpiCounts:
        return cls(**{f.name: int(values.get(f.name) or 0) for f in fields(cls)})  # type: ignore[call-overload]

    def add(self, other: KpiCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Kpi:
    """Rates are fractions in [0, 1] (None when nothing was due); the composite is a score out of 100."""

    response_rate: float | None
    sign_rate: float | None
    on_time_close_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    redo_rate: float | None
    return_rate: float | None
    extension_rate: float | None
    avg_handling_hours: float | None
    composite: float | None
    counts: KpiCounts = field(compare=False)


def ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def satisfaction_rate(counts: KpiCounts, weights: Mapping[str, float] | None = None) -> float | None:
    """(w₁·满意 + w₂·基本满意 + w₃·不满意) / rated follow-ups."""
    w = {**DEFAULT_SATISFACTION_WEIGHTS, **(weights or {})}
    rated = counts.satisfied + counts.fairly_satisfied + counts.dissatisfied
    score = (
        w["satisfied"] * counts.satisfied
        + w["fairly_satisfied"] * counts.fairly_satisfied
        + w["dissatisfied"] * counts.dissatisfied
    )
    return ratio(score, rated)


def composite_score(rates: Mapping[str, float | None], weights: Mapping[str, float] | None = None) -> float | None:
    """Weighted mean of the named rates, × 100. A rate with nothing to measure (None) drops out and the remaining
    weights are rescaled; with nothing measured at all the score is None."""
    w = {**DEFAULT_COMPOSITE_WEIGHTS, **(weights or {})}
    total_weight = sum(weight for name, weight in w.items() if rates.get(name) is not None and weight > 0)
    if total_weight <= 0:
        return None
    score = sum(weight * (rates[name] or 0.0) for name, weight in w.items() if rates.get(name) is not None)
    return round(100.0 * score / total_weight, 2)


def kpi_from_counts(
    counts: KpiCounts,
    *,
    satisfaction_weights: Mapping[str, float] | None = None,
    composite_weights: Mapping[str, float] | None = None,
) -> Kpi:
    response = ratio(counts.contact_on_time, counts.contact_due)
    on_time = ratio(counts.close_on_time, counts.close_due)
    resolution = ratio(counts.resolved, counts.resolved_known)
    satisfaction = satisfaction_rate(counts, satisfaction_weights)
    avg = ratio(counts.handling_seconds, counts.done)
    return Kpi(
        response_rate=response,
        sign_rate=ratio(counts.sign_on_time, counts.sign_due),
        on_time_close_rate=on_time,
        resolution_rate=resolution,
        satisfaction_rate=satisfaction,
        redo_rate=ratio(counts.redone, counts.done_lead),
        return_rate=ratio(counts.returned, counts.assigned),
        extension_rate=ratio(counts.extended, counts.assigned),
        avg_handling_hours=None if avg is None else avg / 3600.0,
        composite=composite_score(
            {"response": response, "on_time_close": on_time, "resolution": resolution, "satisfaction": satisfaction},
            composite_weights,
        ),
        counts=counts,
    )


def sum_counts(rows: Iterable[KpiCounts]) -> KpiCounts:
    total = KpiCounts()
    for row in rows:
        total.add(row)
    return total


def rank(
    scores: Iterable[tuple[object, float | None]], tiebreaks: Mapping[object, tuple[float, ...]] | None = None
) -> dict[object, int]:
    """Competition ranking (1, 2, 2, 4) by score, highest first; unscored keys come last, unranked (0).

    Equal scores are ordered by ``tiebreaks`` (higher first: the on-time completion rate, then the work handled),
    and share a rank only when those are equal too."""
    breaks = tiebreaks or {}
    ordered = sorted(
        ((key, s) for key, s in scores if s is not None),
        key=lambda item: (-item[1], *(-v for v in breaks.get(item[0], ()))),
    )
    result: dict[object, int] = {}
    previous: tuple[float, ...] | None = None
    position = 0
    for index, (key, score) in enumerate(ordered, start=1):
        standing = (score, *breaks.get(key, ()))
        if standing != previous:
            position, previous = index, standing
        result[key] = position
    return result


def rank_tiebreak(kpi: Kpi) -> tuple[float, ...]:
    """What decides between equal composite scores: on-time completion (unmeasured counts as 0), then volume."""
    return (kpi.on_time_close_rate or 0.0, float(kpi.counts.assigned))


# --- periods ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive local dates."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


#: The years a report may cover: a period outside is refused (and never reaches date arithmetic that overflows).
FIRST_YEAR, LAST_YEAR = api_types.FIRST_YEAR, api_types.LAST_YEAR


class ReportPeriodInvalid(ValidationFailed):
    code = "report_period_invalid"
    default_message = _("统计周期超出可查询的范围（2000—2099 年）")


def period_year_check(*days: dt.date) -> None:
    """Refuse (422, coded) a period that starts or ends outside the years reports cover."""
    for day in days:
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ReportPeriodInvalid(first=FIRST_YEAR, last=LAST_YEAR)


def month_period(year: int, month: int) -> Period:
    return Period(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))


def previous_month(period: Period) -> Period:
    last = period.start - dt.timedelta(days=1)
    return month_period(last.year, last.month)


def same_month_last_year(period: Period) -> Period:
    return month_period(period.start.year - 1, period.start.month)


def week_period(day: dt.date) -> Period:
    """The Monday-to-Sunday week containing ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def local_bounds(period: Period, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """[start of the first day, start of the day after the last) as aware datetimes in ``tz``."""
    lo = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return lo, hi


def date_ranges(days: Iterable[dt.date]) -> list[Period]:
    """Contiguous runs of the given days, sorted."""
    runs: list[Period] = []
    for day in sorted(set(days)):
        if runs and runs[-1].end + dt.timedelta(days=1) == day:
            runs[-1] = Period(runs[-1].start, day)
        else:
            runs.append(Period(day, day))
    return runs


# --- changes and sentences ----------------------------------------------------------------------------------


def pct_change(current: float, previous: float) -> float | None:
    """Relative change in per cent, None when there is no base to compare with."""
    if not previous:
        return None
    return (current - previous) / previous * 100.0


def breakdown_with_rest_and_total(rows: list[dict], limit: int) -> list[dict]:
    """The first ``limit`` rows of a breakdown (largest first), then 其他 (the rest, when there is a rest) and 合计
    (all of it), so that a table's figures add up to the month's total."""

    def summed(label: str, part: list[dict]) -> dict:
        count = sum(r["count"] for r in part)
        previous = sum(r["previous"] for r in part)
        return {
            "key": label,
            "label": label,
            "count": count,
            "previous": previous,
            "change": pct_change(count, previous),
            "share": sum(r["share"] for r in part),
        }

    shown = list(rows[:limit])
    if len(rows) > limit:
        shown.append(summed("其他", rows[limit:]))
    shown.append(summed("合计", rows))
    return shown


def chinese_numeral(number: int) -> str:
    """一 … 九十九, as official documents number their sections (一、二、… 十、十一、… 二十、二十一)."""
    digits = "一二三四五六七八九"
    if not 1 <= number <= 99:
        return str(number)
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens - 1] + "十")
    return head + (digits[ones - 1] if ones else "")


def fmt_int(value: int) -> str:
    return f"{value:,}"


def fmt_pct(rate: float | None, digits: int = 1) -> str:
    return "—" if rate is None else f"{rate * 100:.{digits}f}%"


def change_phrase(change: float | None, word: str) -> str:
    """ "环比增长 6.3%" / "环比下降 2.0%" / "环比持平"; "" without a base."""
    if change is None:
        return ""
    if abs(change) < 0.05:
        return gettext("%(word)s持平") % {"word": gettext(word)}
    phrase = gettext("%(word)s增长 %(pct)s%%") if change > 0 else gettext("%(word)s下降 %(pct)s%%")
    return phrase % {"word": gettext(word), "pct": f"{abs(change):.1f}"}


@dataclass(frozen=True)
class MonthFigures:
    """What the monthly summary speaks about (all plain numbers)."""

    received: int
    previous_received: int
    last_year_received: int
    top_categories: list[tuple[str, int]]
    top_channel: tuple[str, int] | None
    top_town: tuple[str, int] | None
    on_time_close_rate: float | None
    satisfaction_rate: float | None
    best_unit: str | None
    worst_unit: str | None


def summary_sentences(figures: MonthFigures) -> list[str]:
    """The written summary of the monthly analysis, generated from the figures."""
    mom = change_phrase(pct_change(figures.received, figures.previous_received), "环比")
    yoy = change_phrase(pct_change(figures.received, figures.last_year_received), "同比")
    changes = gettext("，").join(part for part in (mom, yoy) if part)
    received = fmt_int(figures.received)
    sentences = [
        gettext("本月共受理诉求 %(n)s 件，%(changes)s。") % {"n": received, "changes": changes}
        if changes
        else gettext("本月共受理诉求 %(n)s 件。") % {"n": received}
    ]
    if figures.top_channel and figures.received:
        name, count = figures.top_channel
        sentences.append(
            gettext("从来源看，%(channel)s渠道最多，%(n)s 件，占 %(share)s%%。")
            % {"channel": gettext(name), "n": fmt_int(count), "share": f"{count / figures.received * 100:.1f}"}
        )
    if figures.top_categories:
        listed = gettext("、").join(
            gettext("%(category)s（%(n)s 件）") % {"category": gettext(name), "n": fmt_int(count)}
            for name, count in figures.top_categories[:3]
        )
        sentences.append(gettext("诉求集中在%(categories)s。") % {"categories": listed})
    if figures.top_town:
        name, count = figures.top_town
        sentences.append(gettext("从区域看，%(town)s诉求量最大，共 %(n)s 件。") % {"town": name, "n": fmt_int(count)})
    if figures.on_time_close_rate is not None or figures.satisfaction_rate is not None:
        sentences.append(
            gettext("按期办结率 %(on_time)s，满意率 %(satisfaction)s。")
            % {"on_time": fmt_pct(figures.on_time_close_rate), "satisfaction": fmt_pct(figures.satisfaction_rate)}
        )
    if figures.best_unit:
        sentences.append(
            gettext("综合考评中，%(best)s排名第一；%(worst)s排名末位，需加强督办。")
            % {"best": figures.best_unit, "worst": figures.worst_unit}
            if figures.worst_unit
            else gettext("综合考评中，%(best)s排名第一。") % {"best": figures.best_unit}
        )
    return sentences
