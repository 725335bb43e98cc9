"""The end of a dispatch round for the shares still open in it (DESIGN §4).

An assisting unit's assignment (协办) does not outlive its round: when the lead's feedback closes the round, or a new
round (redo, reopen, a re-dispatch) replaces it, every share still pending, signed or shelved ends (``ended``,
随轮次结束) with an ``assignment_ended`` event each. Its clock stops, its warning is cleared, a request it had waiting
is closed, and the unit's work bench no longer lists it — so an appeal never shows there twice.

The caller holds the appeal's lock (the services lock the appeal first, then its assignments).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals import rules
from shanzhi.appeals.events import event_draft
from shanzhi.appeals.models import (
    ACTIVE_ASSIGNMENT_STATES,
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRequest,
    AssignmentState,
    EventKind,
    RequestState,
)
from shanzhi.orgs.models import User

WHY_TEXT = {
    rules.END_WHY_LEAD_FED_BACK: _("主办单位已反馈，本轮协办随之结束"),
    rules.END_WHY_NEW_ROUND: _("已开始新一轮派单，上一轮派单随之结束"),
}


def assignments_end(
    *, appeal: Appeal, assignments: QuerySet[Assignment], at: dt.datetime, actor: User | None, why: str
) -> list[Assignment]:
    """End the open ones of ``assignments`` (of ``appeal``); returns those ended. Nothing else is touched."""
    if why not in rules.END_WHYS:
        raise ValueError(f"unknown reason for ending assignments: {why}")
    open_ones = [
        a
        for a in assignments.filter(appeal=appeal, state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_for_update(of=("self",))
        .select_related("unit")
        .order_by("id")
        if rules.assignment_ends_with_round(a.state)
    ]
    if not open_ones:
        return []
    text = str(WHY_TEXT[why])
    events = []
    for assignment in open_ones:
        events.append(
            event_draft(
                appeal=appeal,
                assignment=assignment,
                kind=EventKind.ASSIGNMENT_ENDED,
                at=at,
                actor=actor,
                reason=text,
                payload={
                    "why": why,
                    "from": assignment.state,
                    "unit": assignment.unit.name,
                    "role": assignment.role,
                    "round": assignment.round,
                },
                is_public=False,
            )
        )
        assignment.state = AssignmentState.ENDED
        assignment.done_at = at
        assignment.paused_at = None
        assignment.warning = "none"
    Assignment.objects.bulk_update(open_ones, ["state", "done_at", "paused_at", "warning"])
    AppealEvent.objects.bulk_create(events)
    # A request left waiting on an ended share has nothing left to decide.
    AssignmentRequest.objects.filter(assignment__in=open_ones, state=RequestState.PENDING).update(
        state=RequestState.REFUSED, decided_at=at, decision_note=str(_("派单已随轮次结束"))[:300]
    )
    return open_ones


def round_end_with_lead_feedback(*, appeal: Appeal, lead: Assignment, at: dt.datetime, actor: User) -> list[Assignment]:
    """The lead fed back: the other shares of its round end."""
    others = Assignment.objects.filter(round=lead.round).exclude(pk=lead.pk)
    return assignments_end(appeal=appeal, assignments=others, at=at, actor=actor, why=rules.END_WHY_LEAD_FED_BACK)


def rounds_end_before(*, appeal: Appeal, round_no: int, at: dt.datetime, actor: User | None) -> list[Assignment]:
    """A new round ``round_no`` begins: whatever is still open of the earlier rounds ends."""
    earlier = Assignment.objects.filter(round__lt=round_no)
    return assignments_end(appeal=appeal, assignments=earlier, at=at, actor=actor, why=rules.END_WHY_NEW_ROUND)
