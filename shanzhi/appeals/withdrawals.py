"""Withdrawing assignments in bulk (a merge withdraws the duplicate's open work, a lead's return withdraws its
round): each withdrawn assignment gets its own event, so the history shows every assignment's end."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from shanzhi.appeals.events import record_event
from shanzhi.appeals.models import ACTIVE_ASSIGNMENT_STATES, Appeal, Assignment, AssignmentState, EventKind
from shanzhi.appeals.principals import Actor

#: ``payload["withdrawn"]`` of the event: why the assignment was cancelled.
CAUSE_MERGED = "merged"
CAUSE_ROUND_RETURNED = "round_returned"


def assignments_withdraw(
    *, appeal: Appeal, assignments: QuerySet[Assignment], actor: Actor, at: dt.datetime, cause: str, reason: str
) -> list[Assignment]:
    """Cancel the active ones of ``assignments`` (of ``appeal``, which the caller has locked: the appeal first,
    then its assignments by id) and record one event each. Returns the withdrawn assignments."""
    rows = list(
        assignments.filter(appeal=appeal, state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    for row in rows:
        record_event(
            appeal=appeal,
            assignment=row,
            kind=EventKind.NOTE,
            at=at,
            actor=actor,
            reason=reason,
            payload={"withdrawn": cause, "from": row.state, "to": AssignmentState.CANCELLED, "unit_id": row.unit_id},
            is_public=False,
        )
    Assignment.objects.filter(pk__in=[row.pk for row in rows]).update(state=AssignmentState.CANCELLED)
    return rows
