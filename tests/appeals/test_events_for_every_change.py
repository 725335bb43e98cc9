"""Every state change writes an event (DESIGN §4, §10.3): the bulk withdrawals of a merge and of a lead's return,
the sweep's warnings, and — walked over a busy history — every assignment's state and every appeal's state is
the one its events lead to."""

from __future__ import annotations

import datetime as dt

import pytest
from lifecycle_states import lead_of

from shanzhi.appeals import services, unit_work
from shanzhi.appeals.models import Appeal, AppealEvent, Assignment, AssignmentRequest
from shanzhi.core import clock
from shanzhi.supervision.sweep import deadlines_sweep

pytestmark = pytest.mark.django_db

# Which event shows that an assignment reached a state (cancelled: a note naming the withdrawal).
EVENT_OF_ASSIGNMENT_STATE = {
    "signed": "signed",
    "done": "feedback",
    "returned": "returned",
    "shelved": "shelved",
}


def _withdrawals(assignment: Assignment) -> list[AppealEvent]:
    return [e for e in assignment.events.filter(kind="note") if e.payload.get("to") == "cancelled"]


def test_a_merge_withdraws_each_open_assignment_with_an_event(desk, intake):
    master, repeat = intake(), intake()
    assert repeat.assignments.count() == 2  # 城管 leads, 住建 assists
    services.appeal_merge(actor=desk.dispatcher, appeal=repeat, master=master, reason="同一路灯")
    for assignment in repeat.assignments.all():
        assert assignment.state == "cancelled"
        [event] = _withdrawals(assignment)
        assert event.payload["withdrawn"] == "merged" and event.payload["from"] == "pending"
        assert event.actor == desk.dispatcher and master.tracking_no in event.reason


def test_a_lead_return_withdraws_the_round_with_an_event_each(desk, intake):
    appeal = intake()
    assisting = appeal.assignments.get(role="assisting")
    request = unit_work.assignment_request(
        actor=desk.urban_handler, assignment=lead_of(appeal), kind="return", reason="不属本单位", basis="三定方案"
    )
    unit_work.request_decide(actor=desk.dispatcher, request=request, approve=True)
    assisting.refresh_from_db()
    assert assisting.state == "cancelled"
    [event] = _withdrawals(assisting)
    assert event.payload["withdrawn"] == "round_returned" and event.actor == desk.dispatcher
    assert Appeal.objects.get(pk=appeal.pk).state == "accepted"


def test_warning_changes_of_the_sweep_are_events(desk, intake):
    appeal = intake()
    past = clock.now() - dt.timedelta(days=30)
    Assignment.objects.filter(appeal=appeal).update(warn_at=past, due_at=clock.now() + dt.timedelta(days=1))
    deadlines_sweep()
    for assignment in appeal.assignments.all():
        assert assignment.warning == "yellow"
        [warned] = assignment.events.filter(kind="warned")
        assert (warned.payload["from"], warned.payload["level"], warned.payload["by"]) == (
            "none",
            "yellow",
            "system:sweep",
        )


def test_walk_every_assignment_and_appeal_to_its_events(desk, intake):
    """A busy little desk — merged, returned, shelved, finished, warned, redone — then each row is walked."""
    master, repeat, returned, shelved, finished = (intake() for _ in range(5))
    services.appeal_merge(actor=desk.dispatcher, appeal=repeat, master=master, reason="重复")
    request = unit_work.assignment_request(
        actor=desk.urban_handler, assignment=lead_of(returned), kind="return", reason="不属本单位", basis="职责清单"
    )
    unit_work.request_decide(actor=desk.dispatcher, request=request, approve=True)
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead_of(shelved))
    shelve = unit_work.assignment_request(
        actor=desk.urban_handler, assignment=lead_of(shelved), kind="shelve", reason="待资金到位"
    )
    unit_work.request_decide(actor=desk.dispatcher, request=shelve, approve=True)
    work = [(a, desk.urban_handler if a.role == "lead" else desk.housing_handler) for a in finished.assignments.all()]
    work.sort(key=lambda pair: pair[0].role != "lead")  # the lead signs first (the appeal goes in progress)
    for assignment, handler in work:
        unit_work.assignment_sign(actor=handler, assignment=assignment)
    for assignment, handler in reversed(work):  # the lead feeds back last
        unit_work.assignment_feedback(actor=handler, assignment=assignment, text="已修复", resolved=True)
    services.appeal_redo(actor=desk.dispatcher, appeal=finished, reason="现场仍不亮")
    Assignment.objects.filter(appeal=master).update(warn_at=clock.now() - dt.timedelta(days=1))
    deadlines_sweep()
    assert AssignmentRequest.objects.count() == 2

    walked = 0
    for assignment in Assignment.objects.all():
        events = list(assignment.events.all())
        if assignment.state == "cancelled":
            assert _withdrawals(assignment), f"assignment {assignment.pk} was withdrawn without an event"
        elif assignment.state in EVENT_OF_ASSIGNMENT_STATE:
            kinds = {e.kind for e in events}
            assert EVENT_OF_ASSIGNMENT_STATE[assignment.state] in kinds, (assignment.pk, assignment.state, kinds)
        else:
            assert assignment.state == "pending"
        if assignment.warning != "none":
            assert any(e.kind in ("warned", "supervised") for e in events), f"warning of {assignment.pk} unexplained"
        walked += 1
    assert walked >= 10
    states = {"merged", "accepted", "in_progress", "dispatched"}
    for appeal in Appeal.objects.all():
        last = appeal.events.exclude(to_state="").order_by("created_at", "id").last()
        assert last is not None and last.to_state == appeal.state, (appeal.tracking_no, appeal.state)
        states.discard(appeal.state)
    assert states == set()  # every kind of ending above was walked
