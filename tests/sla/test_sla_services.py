"""Deadlines from policies and the stored calendar: seeding, editing, unknown years, caching."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from sla_helpers import local

from shanzhi.core.errors import PermissionDenied
from shanzhi.routing.models import Category
from shanzhi.sla import calendar as sla_calendar
from shanzhi.sla import services
from shanzhi.sla.models import CalendarSource, SlaPolicy, WorkingDay, WorkingPeriod
from shanzhi.sla.rules import Limit, PolicyLimits, TimeUnit

pytestmark = pytest.mark.django_db


def _policy(category: Category | None, urgency: str, handle: str) -> SlaPolicy:
    amount, unit = handle.split()
    limits = PolicyLimits(
        sign=Limit(Decimal(1), TimeUnit.WORKING_HOURS),
        contact=Limit(Decimal(4), TimeUnit.WORKING_HOURS),
        handle=Limit(Decimal(amount), TimeUnit(unit)),
        reply=Limit(Decimal(1), TimeUnit.WORKING_DAYS),
        follow_up=Limit(Decimal(2), TimeUnit.WORKING_DAYS),
    )
    policy = SlaPolicy(category=category, urgency=urgency)
    policy.set_limits(limits)
    policy.save()
    return policy


def test_the_migration_seeded_the_calendar_and_working_hours() -> None:
    spring = WorkingDay.objects.get(date=dt.date(2026, 2, 17))
    assert (spring.is_workday, spring.note, spring.source) == (False, "春节", CalendarSource.SEEDED)
    adjusted = WorkingDay.objects.get(date=dt.date(2026, 2, 28))
    assert adjusted.is_workday and adjusted.note == "春节调休上班"
    assert list(WorkingPeriod.objects.values_list("start", "end")) == [
        (dt.time(8, 30), dt.time(12, 0)),
        (dt.time(14, 30), dt.time(18, 0)),
    ]


def test_seeding_is_idempotent_keeps_edits_and_survives_unknown_years(make_user, district) -> None:
    admin = make_user(district.centre, "admin")
    services_day = dt.date(2026, 10, 8)  # a normal Thursday after National Day: the centre closes it
    sla_calendar.working_day_set(actor=admin, date=services_day, is_workday=False, note="中心搬迁")
    holiday = WorkingDay.objects.get(date=dt.date(2026, 10, 1))
    holiday.is_workday, holiday.source = True, CalendarSource.EDITED
    holiday.save()
    WorkingDay.objects.filter(date=dt.date(2026, 10, 2)).delete()

    report = sla_calendar.calendar_seed(years=[2025, 2026, 2027])

    assert report.unknown_years == [2027]
    assert report.seeded_years == [2025, 2026]
    assert (report.created, report.updated, report.deleted, report.kept_edited) == (1, 0, 0, 1)
    assert WorkingDay.objects.get(date=dt.date(2026, 10, 1)).is_workday  # the edit is kept
    assert WorkingDay.objects.get(date=services_day).note == "中心搬迁"  # not a package date: untouched
    assert WorkingDay.objects.get(date=dt.date(2026, 10, 2)).source == CalendarSource.SEEDED
    again = sla_calendar.calendar_seed(years=[2026])
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)


def test_seed_calendar_command_reports_unknown_years() -> None:
    out = StringIO()
    call_command("seed_calendar", "--years", "2026", "2027", "--with-policies", stdout=out)
    text = out.getvalue()
    assert "no data for 2027" in text
    assert "policies: 4 created" in text
    assert SlaPolicy.objects.filter(category__isnull=True).count() == 4


def test_default_deadlines_by_urgency() -> None:
    start = local(2025, 11, 24, 10, 0)  # Monday
    ordinary = services.deadlines_for(category=None, urgency="ordinary", start=start)
    assert ordinary.due_at == local(2025, 12, 1, 10, 0)
    assert ordinary.warn_at == local(2025, 11, 27, 17, 45)
    assert ordinary.sign_due_at == local(2025, 11, 24, 12, 0)
    assert ordinary.contact_due_at == local(2025, 11, 25, 10, 0)
    complex_ = services.deadlines_for(category=None, urgency="complex", start=start)
    assert complex_.due_at == local(2025, 12, 15, 10, 0)
    urgent = services.deadlines_for(category=None, urgency="urgent", start=start)
    assert (urgent.due_at, urgent.warn_at) == (local(2025, 11, 25, 10, 0), local(2025, 11, 25, 4, 0))
    night = local(2025, 11, 29, 22, 0)
    emergency = services.deadlines_for(category=None, urgency="emergency", start=night)
    assert emergency.due_at == local(2025, 11, 30, 0, 0)
    assert emergency.sign_due_at == emergency.contact_due_at == local(2025, 11, 29, 22, 30)
    # Urgent at Friday night: sign-for and contact (working hours) are capped by the 24 natural-hour deadline.
    friday = services.deadlines_for(category=None, urgency="urgent", start=local(2025, 11, 28, 20, 0))
    assert friday.sign_due_at == friday.contact_due_at == friday.due_at == local(2025, 11, 29, 20, 0)


def test_most_specific_policy_wins() -> None:
    root = Category.objects.create(code="01", name="城乡建设")
    middle = Category.objects.create(code="0101", name="市政管理", parent=root)
    leaf = Category.objects.create(code="010101", name="路灯", parent=middle)
    other = Category.objects.create(code="02", name="教育")
    start = local(2025, 11, 24, 10, 0)

    _policy(None, "ordinary", "4 working_days")
    assert services.deadlines_for(category=leaf, urgency="ordinary", start=start).due_at == local(2025, 11, 28, 10, 0)
    _policy(root, "ordinary", "3 working_days")
    assert services.deadlines_for(category=leaf, urgency="ordinary", start=start).due_at == local(2025, 11, 27, 10, 0)
    _policy(middle, "ordinary", "2 working_days")
    assert services.deadlines_for(category=leaf, urgency="ordinary", start=start).due_at == local(2025, 11, 26, 10, 0)
    _policy(leaf, "ordinary", "8 working_hours")
    leaf_deadlines = services.deadlines_for(category=leaf, urgency="ordinary", start=start)
    assert leaf_deadlines.due_at == local(2025, 11, 25, 11, 0)
    assert leaf_deadlines.sign_due_at == local(2025, 11, 24, 11, 0)
    # Another urgency or another branch is not affected.
    assert services.deadlines_for(category=leaf, urgency="complex", start=start).due_at == local(2025, 12, 15, 10, 0)
    assert services.deadlines_for(category=other, urgency="ordinary", start=start).due_at == local(2025, 11, 28, 10, 0)
    limits = services.policy_limits(category=leaf, urgency="ordinary")
    assert services.reply_due_at(category=leaf, urgency="ordinary", start=start) == local(2025, 11, 25, 10, 0)
    assert services.follow_up_due_at(category=leaf, urgency="ordinary", start=start) == local(2025, 11, 26, 10, 0)
    assert services.limits_as_text(limits)["handle"] == "8 个工作小时"


def test_2027_is_not_known_to_the_package_but_works_and_honours_edits(make_user, district) -> None:
    start = local(2026, 12, 31, 10, 0)  # Thursday
    assert services.deadlines_for(category=None, urgency="ordinary", start=start).due_at == local(2027, 1, 7, 10, 0)
    admin = make_user(district.centre, "admin")
    sla_calendar.working_day_set(actor=admin, date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    sla_calendar.working_day_set(actor=admin, date=dt.date(2027, 1, 4), is_workday=False, note="元旦")
    sla_calendar.working_day_set(actor=admin, date=dt.date(2027, 1, 9), is_workday=True, note="元旦调休上班")
    deadlines = services.deadlines_for(category=None, urgency="ordinary", start=start)
    # Fri 1 Jan and Mon 4 Jan off, Sat 9 Jan worked: 5 Jan(1) 6(2) 7(3) 8(4) 9(5).
    assert deadlines.due_at == local(2027, 1, 9, 10, 0)
    assert services.deadline_extended(due_at=deadlines.due_at, extra_working_days=1) == local(2027, 1, 11, 10, 0)
    sla_calendar.working_day_reset(actor=admin, date=dt.date(2027, 1, 9))
    assert not WorkingDay.objects.filter(date=dt.date(2027, 1, 9)).exists()
    assert services.deadlines_for(category=None, urgency="ordinary", start=start).due_at == local(2027, 1, 11, 10, 0)


def test_resetting_an_edited_known_date_restores_the_package_arrangement(make_user, district) -> None:
    admin = make_user(district.centre, "admin")
    sla_calendar.working_day_set(actor=admin, date=dt.date(2026, 2, 28), is_workday=False)
    row = sla_calendar.working_day_reset(actor=admin, date=dt.date(2026, 2, 28))
    assert row is not None and row.is_workday and row.source == CalendarSource.SEEDED


def test_only_admins_and_leaders_edit_the_calendar(make_user, district) -> None:
    handler = make_user(district.dept_urban, "handler")
    with pytest.raises(PermissionDenied):
        sla_calendar.working_day_set(actor=handler, date=dt.date(2027, 1, 1), is_workday=False)


def test_pause_and_extension_services() -> None:
    due = local(2025, 12, 1, 11, 0)
    paused, resumed = local(2025, 12, 1, 10, 0), local(2025, 12, 3, 10, 0)
    assert services.deadline_after_pause(due_at=due, paused_at=paused, resumed_at=resumed) == local(2025, 12, 3, 11, 0)
    assert services.warn_at_after_pause(warn_at=due, paused_at=paused, resumed_at=resumed) == local(2025, 12, 3, 11, 0)
    assert services.deadline_extended(due_at=local(2025, 11, 28, 18, 0), extra_working_days=2) == local(
        2025, 12, 2, 18, 0
    )
    with pytest.raises(ValueError):
        services.deadline_extended(due_at=due, extra_working_days=-1)
    assert services.working_time_between(start=paused, end=resumed) == dt.timedelta(hours=14)
    assert services.warn_at_between(start=local(2025, 11, 24, 10, 0), due_at=local(2025, 12, 1, 10, 0)) == local(
        2025, 11, 27, 17, 45
    )
    night = services.warn_at_between(start=local(2025, 11, 29, 22, 0), due_at=local(2025, 11, 30, 0, 0))
    assert night == local(2025, 11, 29, 23, 30)


def test_working_hours_come_from_the_table() -> None:
    WorkingPeriod.objects.all().delete()
    WorkingPeriod.objects.create(start=dt.time(9), end=dt.time(17))
    start = local(2025, 11, 24, 16, 0)
    assert services.deadlines_for(category=None, urgency="ordinary", start=start).sign_due_at == local(
        2025, 11, 25, 10, 0
    )


def test_the_hot_path_is_served_from_the_cache(django_assert_num_queries) -> None:
    start = local(2025, 11, 24, 10, 0)
    services.deadlines_for(category=None, urgency="ordinary", start=start)
    with django_assert_num_queries(0):
        for _ in range(50):
            services.deadlines_for(category=None, urgency="ordinary", start=start)


def test_edits_in_another_process_are_seen_after_the_cache_period(settings) -> None:
    settings.SHANZHI = {**settings.SHANZHI, "SLA_CACHE_SECONDS": 0}
    start = local(2025, 11, 24, 10, 0)
    assert services.deadlines_for(category=None, urgency="ordinary", start=start).due_at == local(2025, 12, 1, 10, 0)
    # A queryset update sends no signal, like an edit made by another process.
    WorkingDay.objects.bulk_create([WorkingDay(date=dt.date(2025, 11, 26), is_workday=False, note="停电")])
    assert services.deadlines_for(category=None, urgency="ordinary", start=start).due_at == local(2025, 12, 2, 10, 0)


def test_deadlines_are_remembered_only_for_the_calendar_in_force(make_user, district) -> None:
    start = local(2026, 12, 1, 10, 0)  # Tuesday
    before = services.deadlines_for(category=None, urgency="ordinary", start=start)
    assert services.deadlines_for(category=None, urgency="ordinary", start=start) is before  # a batch's repeat
    admin = make_user(district.centre, "admin")
    sla_calendar.working_day_set(actor=admin, date=dt.date(2026, 12, 2), is_workday=False, note="临时停工")
    after = services.deadlines_for(category=None, urgency="ordinary", start=start)
    assert before.due_at == local(2026, 12, 8, 10, 0)  # five working days
    assert after.due_at == local(2026, 12, 9, 10, 0)  # Wednesday off: one day later
