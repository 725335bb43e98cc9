"""Deadline arithmetic: pure functions, no ORM, the time and the calendar passed in.

Conventions (see also ``docs/adr`` "working-time deadlines"):

* A :class:`WorkCalendar` says which dates are working days (weekday rule, minus holidays, plus adjusted working
  days 调休上班) and which periods of a working day are working time (default 08:30-12:00 and 14:30-18:00).
  Arithmetic happens in the calendar's time zone; results are returned in UTC.
* Working time is measured in seconds of working periods. A working period is the half-open interval
  ``[start, end)`` for "are we working now", but a *deadline* may sit exactly on a period's end (18:00 is a valid
  deadline, meaning "by the end of the day"); adding a positive working duration never returns a non-working
  instant: the result lies in ``(start, end]`` of some working period.
* **Working days are working time**: N working days = N × the length of a working day (7 h by default). Started
  inside working hours, the deadline is the same clock time N working days later (Mon 10:00 + 5 working days =
  next Mon 10:00); started outside working hours (evening, weekend, holiday), the clock starts at the next working
  period, so the deadline is the end of the Nth working day (Fri 20:00 + 1 working day = Mon 18:00). This keeps one
  kind of arithmetic for hours and days, so "add then measure" returns the duration, pauses shift exactly by the
  paused working time, and the 75 % warning point is well defined for both.
* Natural hours (emergencies, 7×24) are plain clock arithmetic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

UTC = dt.UTC
ZERO = dt.timedelta(0)
WARN_RATIO = Decimal("0.75")
DEFAULT_PERIODS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(8, 30), dt.time(12, 0)),
    (dt.time(14, 30), dt.time(18, 0)),
)
DEFAULT_WORKWEEK = frozenset({0, 1, 2, 3, 4})  # Monday..Friday
_MAX_IDLE_DAYS = 400  # more consecutive days off than this means the calendar is broken


class TimeUnit(StrEnum):
    NATURAL_HOURS = "natural_hours"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


class WarningLevel(StrEnum):
    NONE = "none"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class Limit:
    """A time limit: ``amount`` of ``unit`` (e.g. 5 working days, 0.5 natural hours)."""

    amount: Decimal
    unit: TimeUnit

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("a time limit must be positive")

    def scaled(self, ratio: Decimal) -> Limit:
        return Limit(self.amount * ratio, self.unit)


@dataclass(frozen=True)
class PolicyLimits:
    """The five limits of an SLA policy."""

    sign: Limit
    contact: Limit
    handle: Limit
    reply: Limit
    follow_up: Limit


def _limits(
    sign: str, contact: str, handle: str, reply: str = "1 working_days", follow_up: str = "3 working_days"
) -> PolicyLimits:
    def parse(text: str) -> Limit:
        amount, unit = text.split()
        return Limit(Decimal(amount), TimeUnit(unit))

    return PolicyLimits(parse(sign), parse(contact), parse(handle), parse(reply), parse(follow_up))


# The built-in defaults (DESIGN §5), used when no SlaPolicy row matches. Sign-for and contact limits are also
# capped at the handling deadline by the services.
DEFAULT_LIMITS: dict[str, PolicyLimits] = {
    "emergency": _limits("0.5 natural_hours", "0.5 natural_hours", "2 natural_hours"),
    "urgent": _limits("2 working_hours", "4 working_hours", "24 natural_hours"),
    "ordinary": _limits("2 working_hours", "1 working_days", "5 working_days"),
    "complex": _limits("2 working_hours", "1 working_days", "15 working_days"),
}


@dataclass(frozen=True)
class WorkCalendar:
    """Which dates are working days and which hours of them are working time.

    ``holidays``: dates off although the weekday rule says work (and named holiday weekends, harmless);
    ``workdays``: adjusted working days (调休上班) although the weekday rule says rest — these win over ``holidays``.
    """

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    workweek: frozenset[int] = DEFAULT_WORKWEEK
    periods: tuple[tuple[dt.time, dt.time], ...] = DEFAULT_PERIODS
    tz: dt.tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("a working day needs at least one working period")
        previous_end: dt.time | None = None
        for start, end in self.periods:
            if start >= end or (previous_end is not None and start < previous_end):
                raise ValueError("working periods must be ordered, non-empty and non-overlapping")
            previous_end = end

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() in self.workweek

    @cached_property
    def day_length(self) -> dt.timedelta:
        """Working time in one working day (7 h with the default hours)."""
        base = dt.date(2000, 1, 3)
        return sum(
            (dt.datetime.combine(base, end) - dt.datetime.combine(base, start) for start, end in self.periods),
            ZERO,
        )

    def periods_on(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working periods of ``day`` as aware local datetimes (empty on a day off)."""
        if not self.is_workday(day):
            return []
        return [
            (dt.datetime.combine(day, start, tzinfo=self.tz), dt.datetime.combine(day, end, tzinfo=self.tz))
            for start, end in self.periods
        ]


def _local(moment: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("deadline arithmetic needs timezone-aware datetimes")
    return moment.astimezone(calendar.tz)


def _days_from(day: dt.date) -> Iterable[dt.date]:
    while True:
        yield day
        day += dt.timedelta(days=1)


def is_working_time(moment: dt.datetime, calendar: WorkCalendar) -> bool:
    """Whether the centre is working at ``moment`` (periods are half-open ``[start, end)``)."""
    local = _local(moment, calendar)
    return any(start <= local < end for start, end in calendar.periods_on(local.date()))


def is_valid_deadline(moment: dt.datetime, calendar: WorkCalendar) -> bool:
    """Whether ``moment`` may be a working-time deadline: inside a period or exactly at its end (``(start, end]``)."""
    local = _local(moment, calendar)
    return any(start < local <= end for start, end in calendar.periods_on(local.date()))


def add_working_time(start: dt.datetime, duration: dt.timedelta, calendar: WorkCalendar) -> dt.datetime:
    """``start`` plus ``duration`` of working time. A zero duration returns ``start`` unchanged."""
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if duration == ZERO:
        return start.astimezone(UTC)
    local = _local(start, calendar)
    remaining = duration
    idle = 0
    for day in _days_from(local.date()):
        periods = calendar.periods_on(day)
        if not periods:
            idle += 1
            if idle > _MAX_IDLE_DAYS:
                raise ValueError("the working calendar has no working day within a year")
            continue
        idle = 0
        if local <= periods[0][0] and remaining > calendar.day_length:
            remaining -= calendar.day_length  # a whole working day: skip its periods
            continue
        for period_start, period_end in periods:
            begin = max(period_start, local)
            if begin >= period_end:
                continue
            available = period_end - begin
            if remaining <= available:
                return (begin + remaining).astimezone(UTC)
            remaining -= available
    raise AssertionError("unreachable")  # pragma: no cover


def working_time_between(start: dt.datetime, end: dt.datetime, calendar: WorkCalendar) -> dt.timedelta:
    """Working time elapsed from ``start`` to ``end`` (zero when ``end`` is not after ``start``)."""
    if end <= start:
        return ZERO
    local_start, local_end = _local(start, calendar), _local(end, calendar)
    total = ZERO
    for day in _days_from(local_start.date()):
        if day > local_end.date():
            break
        for period_start, period_end in calendar.periods_on(day):
            begin, finish = max(period_start, local_start), min(period_end, local_end)
            if finish > begin:
                total += finish - begin
    return total


def next_working_instant(moment: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """``moment`` if the centre is working then, else the start of the next working period."""
    local = _local(moment, calendar)
    idle = 0
    for day in _days_from(local.date()):
        periods = calendar.periods_on(day)
        idle = 0 if periods else idle + 1
        if idle > _MAX_IDLE_DAYS:
            raise ValueError("the working calendar has no working day within a year")
        for period_start, period_end in periods:
            if local < period_end:
                return max(local, period_start).astimezone(UTC)
    raise AssertionError("unreachable")  # pragma: no cover


def limit_duration(limit: Limit, calendar: WorkCalendar) -> dt.timedelta:
    """The limit as a duration of its own kind of time (clock time or working time)."""
    if limit.unit == TimeUnit.NATURAL_HOURS:
        return dt.timedelta(seconds=float(limit.amount * 3600))
    if limit.unit == TimeUnit.WORKING_HOURS:
        return dt.timedelta(seconds=float(limit.amount * 3600))
    return calendar.day_length * float(limit.amount)


def add_limit(start: dt.datetime, limit: Limit, calendar: WorkCalendar) -> dt.datetime:
    """The deadline ``limit`` after ``start``."""
    duration = limit_duration(limit, calendar)
    if limit.unit == TimeUnit.NATURAL_HOURS:
        return _local(start, calendar).astimezone(UTC) + duration
    return add_working_time(start, duration, calendar)


def warn_point(start: dt.datetime, limit: Limit, calendar: WorkCalendar, ratio: Decimal = WARN_RATIO) -> dt.datetime:
    """The instant when ``ratio`` (75 %) of ``limit`` has elapsed, measured in the limit's own kind of time."""
    return add_limit(start, limit.scaled(ratio), calendar)


def add_working_days(start: dt.datetime, days: int | Decimal, calendar: WorkCalendar) -> dt.datetime:
    """``start`` plus ``days`` working days (see the module docstring for the convention)."""
    if days == 0:
        return start.astimezone(UTC)
    return add_limit(start, Limit(Decimal(days), TimeUnit.WORKING_DAYS), calendar)


def shift_by_pause(
    moment: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime, calendar: WorkCalendar
) -> dt.datetime:
    """``moment`` (a deadline or warning point) moved later by the working time between pause and resume."""
    return add_working_time(moment, working_time_between(paused_at, resumed_at, calendar), calendar)


def warning_level(*, at: dt.datetime, warn_at: dt.datetime | None, due_at: dt.datetime | None) -> WarningLevel:
    """An assignment's warning at ``at``: red once overdue, yellow once past the warning point, else none."""
    if due_at is not None and at >= due_at:
        return WarningLevel.RED
    if warn_at is not None and at >= warn_at:
        return WarningLevel.YELLOW
    return WarningLevel.NONE


def worst_warning(levels: Iterable[str]) -> WarningLevel:
    """The most severe of several warning levels (an appeal shows the worst of its active assignments)."""
    order = [WarningLevel.NONE, WarningLevel.YELLOW, WarningLevel.RED]
    worst = WarningLevel.NONE
    for level in levels:
        if order.index(WarningLevel(level)) > order.index(worst):
            worst = WarningLevel(level)
    return worst
