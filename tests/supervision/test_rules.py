"""The pure rules of the supervision cycle: transitions, reply deadlines, late replies, what an urge does."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from shanzhi.sla.rules import WorkCalendar
from shanzhi.supervision import rules

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(tz=SH)
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


@pytest.mark.parametrize(
    ("action", "state", "allowed"),
    [
        ("reply", "open", True),
        ("reply", "replied", False),
        ("reply", "closed", False),
        ("urge", "open", True),
        ("urge", "replied", False),
        ("reject", "replied", True),
        ("reject", "open", False),
        ("close", "open", True),
        ("close", "replied", True),
        ("close", "closed", False),
        ("unknown", "open", False),
    ],
)
def test_transitions(action: str, state: str, allowed: bool) -> None:
    assert rules.may_transition(action, state) is allowed


def test_next_states() -> None:
    assert [rules.next_state(a) for a in ("reply", "urge", "reject", "close")] == ["replied", "open", "open", "closed"]


def test_reply_deadline_is_one_working_day_and_skips_the_weekend() -> None:
    friday_15 = dt.datetime(2026, 11, 27, 15, 0, tzinfo=SH)
    due = rules.reply_deadline(start=friday_15, calendar=CAL).astimezone(SH)
    assert due.date() == dt.date(2026, 11, 30)  # Monday


def test_a_reply_after_the_deadline_is_late_and_one_at_or_before_is_not() -> None:
    due = MONDAY_10
    assert rules.reply_is_late(replied_at=due + dt.timedelta(seconds=1), reply_due_at=due)
    assert not rules.reply_is_late(replied_at=due, reply_due_at=due)
    assert not rules.reply_is_late(replied_at=due, reply_due_at=None)


def test_an_urge_raises_yellow_to_red_and_brings_a_far_deadline_forward() -> None:
    far = MONDAY_10 + dt.timedelta(days=3)
    outcome = rules.urge_outcome(level="yellow", reply_due_at=far, now=MONDAY_10, calendar=CAL)
    assert outcome.level == "red" and outcome.escalated
    # 4 working hours from Monday 10:00 is still on Monday with the default working hours.
    assert outcome.reply_due_at is not None and outcome.reply_due_at < far
    assert outcome.reply_due_at.astimezone(SH).date() == MONDAY_10.date()
    assert outcome.deadline_moved


def test_an_urge_keeps_a_nearer_deadline_and_the_red_level() -> None:
    near = MONDAY_10 + dt.timedelta(hours=1)
    outcome = rules.urge_outcome(level="red", reply_due_at=near, now=MONDAY_10, calendar=CAL)
    assert (outcome.level, outcome.reply_due_at, outcome.escalated, outcome.deadline_moved) == (
        "red",
        near,
        False,
        False,
    )


def test_a_missed_deadline_stays_missed_after_an_urge() -> None:
    missed = MONDAY_10 - dt.timedelta(hours=2)
    outcome = rules.urge_outcome(level="overdue", reply_due_at=missed, now=MONDAY_10, calendar=CAL)
    assert (outcome.level, outcome.reply_due_at, outcome.deadline_moved) == ("overdue", missed, False)


def test_an_order_without_a_deadline_gets_one_on_the_first_urge() -> None:
    outcome = rules.urge_outcome(level="yellow", reply_due_at=None, now=MONDAY_10, calendar=CAL)
    assert outcome.reply_due_at is not None and outcome.reply_due_at > MONDAY_10


def test_overdue_for_reply_only_while_open() -> None:
    past = MONDAY_10 - dt.timedelta(minutes=1)
    assert rules.is_overdue_for_reply(state="open", reply_due_at=past, now=MONDAY_10)
    assert not rules.is_overdue_for_reply(state="replied", reply_due_at=past, now=MONDAY_10)
    assert not rules.is_overdue_for_reply(state="open", reply_due_at=None, now=MONDAY_10)
