"""Pure rules of device health, maintenance deadlines and escalation, and the care rule: time passed in."""

import datetime as dt
from zoneinfo import ZoneInfo

from shanzhi.iot import rules
from shanzhi.sla.rules import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
MON_10 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=TZ)  # a Monday
FRI_17 = dt.datetime(2026, 12, 4, 17, 0, tzinfo=TZ)
CAL = WorkCalendar()


def test_each_type_has_its_own_silence_before_offline():
    assert rules.offline_after("fire_panel") == dt.timedelta(minutes=15)
    assert rules.offline_after("smoke") == dt.timedelta(hours=25)  # battery detectors report daily
    assert rules.offline_after("something_new") == rules.OFFLINE_AFTER
    silent = MON_10 - dt.timedelta(hours=2)
    assert rules.device_status(last_seen_at=silent, now=MON_10, offline_after=rules.offline_after("smoke")) == "online"
    assert rules.device_status(last_seen_at=silent, now=MON_10, offline_after=rules.offline_after("gas")) == "online"
    assert (
        rules.device_status(last_seen_at=silent, now=MON_10, offline_after=rules.offline_after("throwing")) == "offline"
    )


def test_battery_low_at_or_below_the_level():
    assert rules.battery_low(20) and rules.battery_low(0)
    assert not rules.battery_low(21) and not rules.battery_low(None)


def test_maintenance_deadlines_follow_the_working_calendar():
    # Tamper: 4 working hours from Monday 10:00 → 12:00 + 2 h after the lunch break = 16:30.
    assert rules.maintenance_due_at(reason="tamper", opened_at=MON_10, calendar=CAL) == dt.datetime(
        2026, 11, 30, 16, 30, tzinfo=TZ
    )
    # Offline: 1 working day from Friday 17:00 → Monday 17:00 (the weekend does not count).
    assert rules.maintenance_due_at(reason="offline", opened_at=FRI_17, calendar=CAL) == dt.datetime(
        2026, 12, 7, 17, 0, tzinfo=TZ
    )
    # A holiday on that Monday moves it a day on.
    holiday = WorkCalendar(holidays=frozenset({dt.date(2026, 12, 7)}))
    assert rules.maintenance_due_at(reason="offline", opened_at=FRI_17, calendar=holiday) == dt.datetime(
        2026, 12, 8, 17, 0, tzinfo=TZ
    )


def test_escalation_levels():
    due = MON_10 + dt.timedelta(hours=6)
    assert rules.maintenance_escalation(opened_at=MON_10, due_at=due, now=due - dt.timedelta(seconds=1)) == 0
    assert rules.maintenance_escalation(opened_at=MON_10, due_at=due, now=due) == 1
    assert rules.maintenance_escalation(opened_at=MON_10, due_at=due, now=due + dt.timedelta(hours=6)) == 2


def test_the_care_rule_counts_whole_days_of_no_passage_since_consent_passage_or_last_task():
    enrolled = MON_10 - dt.timedelta(days=10)
    passage = MON_10 - dt.timedelta(days=3)

    def due(now, **kw):
        args = {"enrolled_at": enrolled, "last_passage_at": passage, "last_task_at": None, "quiet_days": 3, **kw}
        return rules.care_visit_due(now=now, **args)

    assert not due(MON_10 - dt.timedelta(seconds=1))
    assert due(MON_10)
    assert not due(MON_10, quiet_days=4)
    assert not due(MON_10, has_open_task=True)  # one task at a time
    # No passage ever seen: counted from the consent, never from before it.
    assert due(MON_10, last_passage_at=None)
    assert not due(enrolled + dt.timedelta(days=2), last_passage_at=None)
    # After a task, the next one only after another quiet spell.
    assert not due(MON_10, last_task_at=MON_10 - dt.timedelta(days=1))
    assert due(MON_10, last_task_at=MON_10 - dt.timedelta(days=3))
