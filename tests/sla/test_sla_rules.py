"""The pure deadline arithmetic, against the real 2025/2026 Chinese holiday arrangements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sla_helpers import SH, local

from shanzhi.sla import rules
from shanzhi.sla.rules import Limit, TimeUnit, WorkCalendar

H = dt.timedelta(hours=1)

instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 11, 30), timezones=st.just(SH)
).map(lambda moment: moment.replace(microsecond=0))
durations = st.integers(min_value=1, max_value=30 * 7 * 60).map(lambda minutes: dt.timedelta(minutes=minutes))


def wd(days: int) -> Limit:
    return Limit(Decimal(days), TimeUnit.WORKING_DAYS)


# --- properties -------------------------------------------------------------------------------------------------


@given(start=instants, duration=durations)
def test_working_deadline_never_in_non_working_time(cn_calendar: WorkCalendar, start, duration) -> None:
    deadline = rules.add_working_time(start, duration, cn_calendar)
    assert rules.is_valid_deadline(deadline, cn_calendar)
    assert deadline > start


@given(start=instants, duration=durations)
def test_adding_then_measuring_gives_back_the_duration(cn_calendar: WorkCalendar, start, duration) -> None:
    deadline = rules.add_working_time(start, duration, cn_calendar)
    assert rules.working_time_between(start, deadline, cn_calendar) == duration


@given(first=instants, second=instants, duration=durations)
def test_monotonic_in_start_time(cn_calendar: WorkCalendar, first, second, duration) -> None:
    early, late = sorted([first, second])
    assert rules.add_working_time(early, duration, cn_calendar) <= rules.add_working_time(late, duration, cn_calendar)


@given(due=instants, paused=instants, pause=st.integers(min_value=0, max_value=20 * 24 * 60))
def test_pause_shifts_by_exactly_the_paused_working_time(cn_calendar: WorkCalendar, due, paused, pause) -> None:
    resumed = paused + dt.timedelta(minutes=pause)
    paused_working = rules.working_time_between(paused, resumed, cn_calendar)
    shifted = rules.shift_by_pause(due, paused, resumed, cn_calendar)
    assert rules.working_time_between(due, shifted, cn_calendar) == paused_working
    if paused_working == dt.timedelta(0):
        assert shifted == due


_days_2025 = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(600)]
# An instant strictly inside working hours: a date, and 1..419 minutes into the 7-hour working day.
working_instants = st.tuples(st.sampled_from(_days_2025), st.integers(min_value=1, max_value=7 * 60 - 1)).map(
    lambda pair: rules.add_working_time(
        dt.datetime.combine(pair[0], dt.time(0), tzinfo=SH), dt.timedelta(minutes=pair[1]), WorkCalendar(tz=SH)
    )
)


@given(start=working_instants, days=st.integers(min_value=1, max_value=20))
def test_working_days_keep_the_clock_time_inside_working_hours(cn_calendar: WorkCalendar, start, days) -> None:
    local_start = start.astimezone(SH)
    assume(rules.is_working_time(start, cn_calendar))
    assume(local_start.time() not in (dt.time(8, 30), dt.time(14, 30), dt.time(12, 0)))
    deadline = rules.add_working_days(start, days, cn_calendar).astimezone(SH)
    assert deadline.time() == local_start.time()
    assert cn_calendar.is_workday(deadline.date())


@settings(max_examples=50)
@given(start=instants, days=st.integers(min_value=1, max_value=15))
def test_warning_point_is_three_quarters_of_the_working_limit(cn_calendar: WorkCalendar, start, days) -> None:
    due = rules.add_limit(start, wd(days), cn_calendar)
    warn = rules.warn_point(start, wd(days), cn_calendar)
    assert start <= warn < due
    assert (
        rules.working_time_between(start, warn, cn_calendar) * 4
        == rules.working_time_between(start, due, cn_calendar) * 3
    )


# --- explicit cases ---------------------------------------------------------------------------------------------


def test_five_working_days_from_a_monday_morning(cn_calendar: WorkCalendar) -> None:
    start = local(2025, 11, 24, 10, 0)
    assert rules.add_limit(start, wd(5), cn_calendar) == local(2025, 12, 1, 10, 0)
    # 75 % of 35 working hours = 26.25 h: Mon 5.5 h, Tue 7 h, Wed 7 h, Thu 6.75 h -> Thu 17:45.
    assert rules.warn_point(start, wd(5), cn_calendar) == local(2025, 11, 27, 17, 45)
    assert rules.add_limit(start, wd(5), cn_calendar).tzinfo == dt.UTC


def test_friday_evening_counts_from_monday(cn_calendar: WorkCalendar) -> None:
    assert rules.add_limit(local(2025, 11, 28, 20, 0), wd(1), cn_calendar) == local(2025, 12, 1, 18, 0)
    assert rules.next_working_instant(local(2025, 11, 28, 20, 0), cn_calendar) == local(2025, 12, 1, 8, 30)


def test_working_hours_skip_the_lunch_break(cn_calendar: WorkCalendar) -> None:
    two_hours = Limit(Decimal(2), TimeUnit.WORKING_HOURS)
    assert rules.add_limit(local(2025, 11, 25, 11, 0), two_hours, cn_calendar) == local(2025, 11, 25, 15, 30)
    assert rules.add_limit(local(2025, 11, 25, 12, 30), two_hours, cn_calendar) == local(2025, 11, 25, 16, 30)
    # Ends exactly at the end of the day: 18:00 is the deadline, not 08:30 the next morning.
    assert rules.add_limit(local(2025, 11, 25, 16, 0), two_hours, cn_calendar) == local(2025, 11, 25, 18, 0)


def test_2026_spring_festival_with_its_adjusted_saturdays(cn_calendar: WorkCalendar) -> None:
    # Fri 13 Feb, then Sat 14 Feb is a working day, 15-23 Feb is the holiday, Sat 28 Feb is a working day again.
    assert cn_calendar.is_workday(dt.date(2026, 2, 14)) and cn_calendar.is_workday(dt.date(2026, 2, 28))
    assert not cn_calendar.is_workday(dt.date(2026, 2, 16)) and not cn_calendar.is_workday(dt.date(2026, 2, 23))
    start = local(2026, 2, 13, 10, 0)
    assert rules.add_limit(start, wd(1), cn_calendar) == local(2026, 2, 14, 10, 0)
    assert rules.add_limit(start, wd(2), cn_calendar) == local(2026, 2, 24, 10, 0)
    assert rules.add_limit(start, wd(5), cn_calendar) == local(2026, 2, 27, 10, 0)
    assert rules.add_limit(start, wd(6), cn_calendar) == local(2026, 2, 28, 10, 0)
    assert rules.working_time_between(
        local(2026, 2, 14, 18, 0), local(2026, 2, 24, 8, 30), cn_calendar
    ) == dt.timedelta(0)


def test_2026_mid_autumn_and_national_day(cn_calendar: WorkCalendar) -> None:
    two_hours = Limit(Decimal(2), TimeUnit.WORKING_HOURS)
    # Sun 20 Sep 2026 is an adjusted working day.
    assert rules.add_limit(local(2026, 9, 19, 20, 0), two_hours, cn_calendar) == local(2026, 9, 20, 10, 30)
    # Fri 25 Sep is Mid-autumn: Thu 17:00 + 2 working hours -> Mon 28 Sep 09:30.
    assert rules.add_limit(local(2026, 9, 24, 17, 0), two_hours, cn_calendar) == local(2026, 9, 28, 9, 30)
    # 1-7 Oct off, Sat 10 Oct worked.
    assert rules.add_limit(local(2026, 9, 30, 15, 0), wd(1), cn_calendar) == local(2026, 10, 8, 15, 0)
    assert rules.add_limit(local(2026, 9, 30, 15, 0), wd(3), cn_calendar) == local(2026, 10, 10, 15, 0)


def test_2025_national_day_week(cn_calendar: WorkCalendar) -> None:
    assert cn_calendar.is_workday(dt.date(2025, 9, 28)) and cn_calendar.is_workday(dt.date(2025, 10, 11))
    assert rules.add_limit(local(2025, 9, 30, 17, 0), wd(1), cn_calendar) == local(2025, 10, 9, 17, 0)
    assert rules.add_limit(local(2025, 10, 10, 10, 0), wd(1), cn_calendar) == local(2025, 10, 11, 10, 0)


def test_natural_hours_run_through_nights_and_weekends(cn_calendar: WorkCalendar) -> None:
    start = local(2025, 11, 29, 22, 0)  # a Saturday night
    two = Limit(Decimal(2), TimeUnit.NATURAL_HOURS)
    assert rules.add_limit(start, two, cn_calendar) == local(2025, 11, 30, 0, 0)
    assert rules.warn_point(start, two, cn_calendar) == local(2025, 11, 29, 23, 30)
    assert rules.add_limit(start, Limit(Decimal(24), TimeUnit.NATURAL_HOURS), cn_calendar) == start + 24 * H


def test_pause_over_working_time(cn_calendar: WorkCalendar) -> None:
    # Paused Mon 10:00 - Wed 10:00 = 14 working hours; Mon 11:00 + 14 working hours = Wed 11:00.
    shifted = rules.shift_by_pause(
        local(2025, 12, 1, 11, 0), local(2025, 12, 1, 10, 0), local(2025, 12, 3, 10, 0), cn_calendar
    )
    assert shifted == local(2025, 12, 3, 11, 0)
    # A pause over a weekend does not move the deadline.
    due = local(2025, 12, 1, 11, 0)
    assert rules.shift_by_pause(due, local(2025, 11, 29, 9, 0), local(2025, 11, 30, 20, 0), cn_calendar) == due


def test_extension_by_working_days(cn_calendar: WorkCalendar) -> None:
    assert rules.add_working_days(local(2025, 11, 28, 18, 0), 2, cn_calendar) == local(2025, 12, 2, 18, 0)
    assert rules.add_working_days(local(2025, 11, 28, 18, 0), 0, cn_calendar) == local(2025, 11, 28, 18, 0)


def test_warning_levels() -> None:
    warn, due = local(2025, 12, 1, 10, 0), local(2025, 12, 2, 10, 0)
    assert rules.warning_level(at=warn - H, warn_at=warn, due_at=due) == "none"
    assert rules.warning_level(at=warn, warn_at=warn, due_at=due) == "yellow"
    assert rules.warning_level(at=due, warn_at=warn, due_at=due) == "red"
    assert rules.warning_level(at=due, warn_at=None, due_at=None) == "none"
    assert rules.worst_warning(["none", "red", "yellow"]) == "red"
    assert rules.worst_warning([]) == "none"


def test_bad_input_is_refused(cn_calendar: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        rules.add_working_time(dt.datetime(2025, 1, 1, 9), H, cn_calendar)
    with pytest.raises(ValueError):
        rules.add_working_time(local(2025, 1, 2, 9), -H, cn_calendar)
    with pytest.raises(ValueError):
        Limit(Decimal(0), TimeUnit.WORKING_DAYS)
    with pytest.raises(ValueError):
        WorkCalendar(periods=((dt.time(14), dt.time(12)),))
    with pytest.raises(ValueError, match="no working day"):
        rules.add_working_time(local(2025, 1, 2, 9), H, WorkCalendar(workweek=frozenset()))


def test_custom_working_hours() -> None:
    calendar = WorkCalendar(periods=((dt.time(9), dt.time(17)),), tz=SH)
    assert calendar.day_length == 8 * H
    assert rules.add_limit(local(2025, 12, 1, 13, 0), wd(1), calendar) == local(2025, 12, 2, 13, 0)
