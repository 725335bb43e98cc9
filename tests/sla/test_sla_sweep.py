"""The deadline sweep against the database: warnings, automatic supervision orders, idempotency."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.tasks import TaskResultStatus
from sla_helpers import local

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment
from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed
from shanzhi.sla import services
from shanzhi.supervision import services as orders
from shanzhi.supervision import sweep
from shanzhi.supervision.models import SupervisionOrder, SupervisionState
from shanzhi.supervision.tasks import sweep_deadlines

pytestmark = pytest.mark.django_db

START = local(2025, 11, 24, 10, 0)  # Monday


def _dispatch(make_assignment, **fields):  # type: ignore[no-untyped-def]
    deadlines = services.deadlines_for(category=None, urgency="ordinary", start=START)
    values = {
        "sign_due_at": deadlines.sign_due_at,
        "contact_due_at": deadlines.contact_due_at,
        "due_at": deadlines.due_at,
        "warn_at": deadlines.warn_at,
        **fields,
    }
    return make_assignment(dispatched_at=START, **values)


def _events(kind: str) -> list[AppealEvent]:
    return list(AppealEvent.objects.filter(kind=kind).order_by("id"))


def test_yellow_then_red_then_nothing_more(make_assignment) -> None:
    assignment = _dispatch(make_assignment, state="signed", signed_at=START)
    before_warn = local(2025, 11, 27, 17, 0)
    assert sweep.deadlines_sweep(now=before_warn).get("yellow", 0) == 0

    counts = sweep.deadlines_sweep(now=local(2025, 11, 27, 17, 45))
    assert counts["yellow"] == 1
    assignment.refresh_from_db()
    assert assignment.warning == "yellow"
    assert Appeal.objects.get(pk=assignment.appeal_id).warning == "yellow"
    [warned] = _events("warned")
    assert (warned.assignment_id, warned.payload["level"], warned.is_public) == (assignment.pk, "yellow", False)
    assert sweep.deadlines_sweep(now=local(2025, 11, 28, 9, 0)) == {"appeals": 0}

    overdue = local(2025, 12, 1, 10, 0)
    counts = sweep.deadlines_sweep(now=overdue)
    assert (counts["red"], counts["orders"]) == (1, 1)
    assignment.refresh_from_db()
    assert assignment.warning == "red"
    assert Appeal.objects.get(pk=assignment.appeal_id).warning == "red"
    order = SupervisionOrder.objects.get(assignment=assignment)
    assert (order.level, order.trigger, order.issued_by, order.state) == ("overdue", "overdue", None, "open")
    assert order.unit_id == assignment.unit_id and order.appeal_id == assignment.appeal_id
    assert order.reply_due_at == local(2025, 12, 2, 10, 0)
    [supervised] = _events("supervised")
    assert supervised.payload["trigger"] == "overdue" and supervised.created_at == overdue

    assert sweep.deadlines_sweep(now=overdue + dt.timedelta(hours=3)) == {"appeals": 0}
    assert SupervisionOrder.objects.count() == 1
    assert AppealEvent.objects.count() == 2


def test_overdue_at_once_goes_straight_to_red(make_assignment) -> None:
    assignment = _dispatch(make_assignment, state="signed")
    sweep.deadlines_sweep(now=local(2025, 12, 5, 10, 0))
    assignment.refresh_from_db()
    assert assignment.warning == "red"
    assert [e.kind for e in AppealEvent.objects.all()] == ["supervised"]


def test_sign_for_overdue_raises_one_order(make_assignment) -> None:
    pending = _dispatch(make_assignment)
    signed = _dispatch(make_assignment, state="signed", signed_at=START)
    counts = sweep.deadlines_sweep(now=local(2025, 11, 24, 12, 0))
    assert counts["sign_orders"] == 1
    order = SupervisionOrder.objects.get()
    assert (order.assignment_id, order.trigger, order.level) == (pending.pk, "sign_overdue", "yellow")
    assert not SupervisionOrder.objects.filter(assignment=signed).exists()
    assert sweep.deadlines_sweep(now=local(2025, 11, 24, 15, 0)) == {"appeals": 0}
    assert SupervisionOrder.objects.count() == 1


def test_paused_shelved_and_finished_assignments_are_left_alone(make_assignment) -> None:
    _dispatch(make_assignment, state="signed", paused_at=START)
    _dispatch(make_assignment, state="shelved")
    _dispatch(make_assignment, state="done")
    assert sweep.deadlines_sweep(now=local(2025, 12, 10, 10, 0)) == {"appeals": 0}
    assert not Assignment.objects.exclude(warning="none").exists()


def test_appeal_shows_the_worst_active_assignment(make_assignment, district) -> None:
    lead = _dispatch(make_assignment, state="signed")
    late = local(2025, 12, 10, 10, 0)
    assisting = make_assignment(
        dispatched_at=START,
        appeal=lead.appeal,
        unit=district.dept_housing,
        role="assisting",
        state="signed",
        due_at=late,
        warn_at=late,
    )
    finished = make_assignment(
        dispatched_at=START,
        appeal=lead.appeal,
        unit=district.town_a,
        role="assisting",
        round=1,
        state="done",
        warning="red",
    )
    sweep.deadlines_sweep(now=local(2025, 11, 28, 10, 0))
    assert Appeal.objects.get(pk=lead.appeal_id).warning == "yellow"
    assert (assisting.warning, finished.warning) == ("none", "red")


def test_extension_lifts_the_red_warning_and_a_second_overdue_raises_no_second_order(make_assignment) -> None:
    assignment = _dispatch(make_assignment, state="signed")
    overdue = local(2025, 12, 1, 11, 0)
    sweep.deadlines_sweep(now=overdue)
    new_due = services.deadline_extended(due_at=assignment.due_at, extra_working_days=3)
    Assignment.objects.filter(pk=assignment.pk).update(
        due_at=new_due, warn_at=services.warn_at_between(start=START, due_at=new_due)
    )
    counts = sweep.deadlines_sweep(now=overdue)
    assert counts["lifted"] == 1
    assignment.refresh_from_db()
    assert assignment.warning == "none"  # 36 of 56 working hours used: below the 75 % point (42 h)
    assert Appeal.objects.get(pk=assignment.appeal_id).warning == "none"
    assert sweep.deadlines_sweep(now=local(2025, 12, 2, 10, 0))["yellow"] == 1

    sweep.deadlines_sweep(now=new_due)
    assignment.refresh_from_db()
    assert assignment.warning == "red"
    assert SupervisionOrder.objects.count() == 1
    last = AppealEvent.objects.order_by("-id").first()
    assert last is not None and (last.kind, last.payload["level"]) == ("warned", "red")


def test_many_assignments_in_small_batches(make_assignment) -> None:
    rows = [_dispatch(make_assignment, state="signed") for _ in range(7)]
    counts = sweep.deadlines_sweep(now=local(2025, 12, 2, 9, 0), batch_size=3)
    assert (counts["red"], counts["orders"], counts["appeals"]) == (7, 7, 7)
    assert Assignment.objects.filter(pk__in=[r.pk for r in rows], warning="red").count() == 7


def test_the_task_runs_the_sweep_at_the_current_time(make_assignment) -> None:
    assignment = _dispatch(make_assignment, state="signed")
    with time_machine.travel(local(2025, 11, 28, 9, 0), tick=False):
        result = sweep_deadlines.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["yellow"] == 1
    assignment.refresh_from_db()
    assert assignment.warning == "yellow"


def test_manual_supervision_issue_reply_close(make_assignment, make_user, district) -> None:
    assignment = _dispatch(make_assignment, state="signed")
    leader = make_user(district.centre, "leader")
    handler = make_user(district.dept_urban, "handler")
    outsider = make_user(district.dept_housing, "handler")
    with pytest.raises(PermissionDenied):
        orders.supervision_issue(actor=handler, assignment=assignment, level="red", reason="请加快")
    order = orders.supervision_issue(actor=leader, assignment=assignment, level="red", reason="群众反映强烈")
    assert (order.issued_by_id, order.trigger, order.state) == (leader.pk, "manual", SupervisionState.OPEN)
    with pytest.raises(PermissionDenied):
        orders.supervision_reply(actor=outsider, order=order, reply="已处理")
    order = orders.supervision_reply(actor=handler, order=order, reply="已安排维修")
    assert order.state == SupervisionState.REPLIED and order.replied_at is not None
    with pytest.raises(TransitionNotAllowed):
        orders.supervision_reply(actor=handler, order=order, reply="再次回复")
    order = orders.supervision_close(actor=leader, order=order)
    assert order.state == SupervisionState.CLOSED
    assert [e.payload.get("action") for e in _events("supervised")] == [None, "replied", "closed"]
    # Manual orders may repeat; automatic ones stay unique per trigger.
    orders.supervision_issue(actor=leader, assignment=assignment, level="yellow", reason="再次督办")
    assert SupervisionOrder.objects.filter(assignment=assignment).count() == 2
