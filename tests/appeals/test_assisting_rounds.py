"""Assisting units (协办) feed back to the lead, and their shares end with their round (issue 22, item 2).

The desk's road-light line sends an appeal to the 城管局 (lead) with the 住建局 assisting.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from shanzhi.appeals import rules, services, unit_work
from shanzhi.appeals.models import Appeal, AppealEvent, Assignment, AssignmentState, EventKind
from shanzhi.appeals.selectors import unit_queue
from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def share(appeal: Appeal, role: str, round_no: int | None = None) -> Assignment:
    return appeal.assignments.get(round=round_no or appeal.round, role=role)


def _signed_by_both(desk, intake) -> Appeal:
    appeal = intake()
    unit_work.assignment_sign(actor=desk.housing_handler, assignment=share(appeal, "assisting"))
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=share(appeal, "lead"))
    appeal.refresh_from_db()
    return appeal


def _closed(desk, appeal: Appeal) -> Appeal:
    """The lead signs, feeds back, the centre replies and the citizen is satisfied; the 住建局 never acted."""
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=share(appeal, "lead"))
    unit_work.assignment_feedback(
        actor=desk.urban_handler, assignment=share(appeal, "lead"), text="已修复", resolved=True
    )
    services.appeal_reply(actor=desk.operator, appeal=appeal, text="路灯已修复")
    return services.appeal_follow_up(actor=desk.operator, appeal=appeal, rating="satisfied", resolved=True)


def _queue_numbers(user) -> list[str]:
    return [a.appeal.tracking_no for a in unit_queue(user=user, now=clock.now()).rows]


# --- the rules ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["pending", "signed", "shelved"])
def test_an_open_share_ends_with_its_round(state):
    assert rules.assignment_ends_with_round(state)
    assert rules.ends_with_lead_feedback(role="assisting", state=state)
    assert not rules.ends_with_lead_feedback(role="lead", state=state)


@pytest.mark.parametrize("state", ["done", "returned", "cancelled", "ended"])
def test_a_finished_share_does_not_end_again(state):
    assert not rules.assignment_ends_with_round(state)
    assert rules.ASSIGNMENT_TRANSITIONS[state] == frozenset()


def test_every_assignment_state_has_its_transitions():
    assert set(rules.ASSIGNMENT_TRANSITIONS) == set(AssignmentState.values)
    assert not rules.assignment_may_become("ended", "signed")
    assert rules.assignment_may_become("shelved", "ended")


# --- assisting feedback goes to the lead ----------------------------------------------------------------------


def test_assisting_feedback_is_recorded_for_the_lead_and_leaves_the_appeal_in_progress(desk, intake):
    appeal = _signed_by_both(desk, intake)
    done = unit_work.assignment_feedback(
        actor=desk.housing_handler, assignment=share(appeal, "assisting"), text="已核查线路产权", resolved=True
    )
    appeal.refresh_from_db()
    assert done.state == AssignmentState.DONE and done.feedback == "已核查线路产权"
    assert appeal.state == "in_progress"  # only the lead's feedback goes to the centre
    event = AppealEvent.objects.get(assignment=done, kind=EventKind.FEEDBACK)
    assert event.payload["role"] == "assisting" and event.payload["to_lead"] == desk.district.dept_urban.name
    # the lead's feedback afterwards ends nothing: the assisting share is done already
    unit_work.assignment_feedback(
        actor=desk.urban_handler, assignment=share(appeal, "lead"), text="已修复", resolved=True
    )
    done.refresh_from_db()
    assert done.state == AssignmentState.DONE
    assert not AppealEvent.objects.filter(appeal=appeal, kind=EventKind.ASSIGNMENT_ENDED).exists()


def test_a_unit_cannot_feed_back_on_another_units_share(desk, intake):
    appeal = _signed_by_both(desk, intake)
    with pytest.raises(PermissionDenied):
        unit_work.assignment_feedback(
            actor=desk.urban_handler, assignment=share(appeal, "assisting"), text="代为反馈", resolved=True
        )


# --- the lead's feedback ends the round ------------------------------------------------------------------------


def test_the_leads_feedback_ends_the_assisting_share_still_pending(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=share(appeal, "lead"))
    assert _queue_numbers(desk.housing_handler) == [appeal.tracking_no]
    unit_work.assignment_feedback(
        actor=desk.urban_handler, assignment=share(appeal, "lead"), text="已修复", resolved=True
    )
    assisting = share(appeal, "assisting")
    assert assisting.state == AssignmentState.ENDED and assisting.done_at is not None
    assert assisting.warning == "none"
    event = AppealEvent.objects.get(assignment=assisting, kind=EventKind.ASSIGNMENT_ENDED)
    assert event.payload["why"] == rules.END_WHY_LEAD_FED_BACK and event.payload["from"] == "pending"
    assert event.actor == desk.urban_handler and not event.is_public
    assert _queue_numbers(desk.housing_handler) == []  # no clock runs on it in the work bench


def test_a_request_waiting_on_an_ended_share_is_closed(desk, intake):
    appeal = _signed_by_both(desk, intake)
    request = unit_work.assignment_request(
        actor=desk.housing_handler,
        assignment=share(appeal, "assisting"),
        kind="extend",
        reason="需协调",
        extra_working_days=3,
    )
    unit_work.assignment_feedback(
        actor=desk.urban_handler, assignment=share(appeal, "lead"), text="已修复", resolved=True
    )
    request.refresh_from_db()
    assert request.state == "refused" and "随轮次结束" in request.decision_note
    assert share(appeal, "assisting").state == AssignmentState.ENDED


def test_after_close_and_reopen_the_assisting_unit_sees_the_appeal_once(desk, intake):
    appeal = _closed(desk, intake())
    assert share(appeal, "assisting", 1).state == AssignmentState.ENDED
    reopened = services.appeal_reopen(actor=desk.dispatcher, appeal=appeal, reason="路灯又不亮了")
    assert reopened.round == 2
    assert _queue_numbers(desk.housing_handler) == [appeal.tracking_no]
    rows = unit_queue(user=desk.housing_handler, now=clock.now()).rows
    assert [a.round for a in rows] == [2]


# --- a new round ends what it replaces -------------------------------------------------------------------------


def test_a_new_round_ends_the_shares_left_open_in_the_round_it_replaces(desk, intake):
    appeal = _closed(desk, intake())
    # a share left hanging before this change (the lead's feedback did not end it then)
    Assignment.objects.filter(pk=share(appeal, "assisting", 1).pk).update(state=AssignmentState.SIGNED)
    services.appeal_reopen(actor=desk.dispatcher, appeal=appeal, reason="路灯又不亮了")
    old = share(appeal, "assisting", 1)
    assert old.state == AssignmentState.ENDED
    ended = AppealEvent.objects.filter(assignment=old, kind=EventKind.ASSIGNMENT_ENDED).order_by("id").last()
    assert ended.payload["why"] == rules.END_WHY_NEW_ROUND and ended.payload["from"] == "signed"
    assert ended.actor == desk.dispatcher
    assert share(appeal, "assisting", 2).state == AssignmentState.PENDING
    assert _queue_numbers(desk.housing_handler) == [appeal.tracking_no]


def test_a_redo_from_review_starts_a_round_with_nothing_of_the_old_one_open(desk, intake):
    appeal = intake()
    unit_work.assignment_sign(actor=desk.urban_handler, assignment=share(appeal, "lead"))
    unit_work.assignment_feedback(
        actor=desk.urban_handler, assignment=share(appeal, "lead"), text="已修复", resolved=True
    )
    services.appeal_redo(actor=desk.dispatcher, appeal=appeal, reason="照片不清楚")
    appeal.refresh_from_db()
    open_rounds = set(
        appeal.assignments.filter(state__in=["pending", "signed", "shelved"]).values_list("round", flat=True)
    )
    assert open_rounds == {2}


def test_the_migration_ends_shares_left_hanging(desk, intake):
    """Data made before the change: a closed appeal whose assisting share is still pending, and one reopened whose
    round-1 share still runs beside round 2. The migration's data step ends both, each with an event."""
    closed = _closed(desk, intake())
    reopened = _closed(desk, intake())
    services.appeal_reopen(actor=desk.dispatcher, appeal=reopened, reason="又坏了")
    hanging = [share(closed, "assisting", 1).pk, share(reopened, "assisting", 1).pk]
    Assignment.objects.filter(pk__in=hanging).update(state=AssignmentState.PENDING, done_at=None)
    running = share(reopened, "assisting", 2)
    migration = importlib.import_module("shanzhi.appeals.migrations.0009_assignment_ended_and_feedback_photos")
    migration.end_hanging_assignments(django_apps, None)
    assert set(Assignment.objects.filter(pk__in=hanging).values_list("state", flat=True)) == {"ended"}
    whys = {
        e.assignment_id: e.payload["why"]
        for e in AppealEvent.objects.filter(assignment_id__in=hanging, reason__contains="数据整理")
    }
    assert whys == {hanging[0]: "lead_fed_back", hanging[1]: "new_round"}
    running.refresh_from_db()
    assert running.state == AssignmentState.PENDING  # the current round's share is untouched
