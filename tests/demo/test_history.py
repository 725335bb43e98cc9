"""The fast history generator (``shanzhi demo --appeals N --fast``): consistent appeals, assignments, events and
follow-ups straight into the tables, numbered where the desk goes on."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from shanzhi.appeals.models import Appeal, AppealEvent, AppealState, Assignment, FollowUp, TrackingCounter
from shanzhi.appeals.services import appeal_intake
from shanzhi.demo.district import demo_load
from shanzhi.orgs.models import User

from .test_demo import _check_log

NOW = dt.datetime(2026, 11, 20, 2, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_fast_history_is_consistent_and_the_desk_numbers_on_after_it(settings):
    report = demo_load(appeals=600, seed=3, now=NOW, train_classifier=False, fast=True)
    assert any(line.startswith("快速生成历史诉求：600 件") for line in report.lines)
    appeals = list(Appeal.objects.all())
    assert len(appeals) == 600 and len({a.tracking_no for a in appeals}) == 600
    states = Counter(a.state for a in appeals)
    assert states[AppealState.CLOSED] > 400 and {"in_progress", "answered", "rejected"} <= set(states)

    events: dict[int, list[AppealEvent]] = {}
    for event in AppealEvent.objects.order_by("created_at", "id"):
        events.setdefault(event.appeal_id, []).append(event)
    for appeal in appeals:
        _check_log(appeal, events[appeal.pk])  # the log chains up to the appeal's state
        moments = [m for m in (appeal.created_at, appeal.replied_at, appeal.closed_at) if m]
        assert max(moments) <= NOW and moments == sorted(moments)

    closed = [a for a in appeals if a.state == AppealState.CLOSED]
    assert all(a.rating and a.lead_unit_id for a in closed)
    assert FollowUp.objects.count() == len(closed)
    leads = Assignment.objects.filter(role="lead")
    assert leads.count() == sum(1 for a in appeals if a.round == 1)
    assert not leads.filter(state="done", feedback_at__isnull=True).exists()
    assert not Assignment.objects.filter(signed_at__gt=NOW).exists()

    # The daily counters stand where the history stopped: the next appeal of a day gets the next number.
    last = max(appeals, key=lambda a: a.tracking_no)
    day = dt.date(int(last.tracking_no[2:6]), int(last.tracking_no[6:8]), int(last.tracking_no[8:10]))
    assert TrackingCounter.objects.get(day=day).value == int(last.tracking_no.split("-")[1])
    operator = User.objects.get(username="operator1")
    new = appeal_intake(actor=operator, channel="hotline", content="历史之后登记的新诉求：路灯不亮").appeal
    assert new.pk > max(a.pk for a in appeals) and new.tracking_no not in {a.tracking_no for a in appeals}
