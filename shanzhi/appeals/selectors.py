"""Reads of appeals, always through the viewer's data scope (DESIGN §7).

- the centre (a user of the centre unit, or a leader/analyst/admin) sees every appeal;
- a territorial unit sees appeals whose place lies in its subtree, and those assigned to its subtree;
- a department sees what is (or was) assigned to it or its sub-units;
- anyone else sees nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from shanzhi.appeals import rules
from shanzhi.appeals.models import (
    ACTIVE_ASSIGNMENT_STATES,
    Appeal,
    AppealEvent,
    Assignment,
    AssignmentRequest,
    AssignmentState,
    Attachment,
    RequestState,
)
from shanzhi.core.errors import NotFound
from shanzhi.core.ids import as_id
from shanzhi.core.keyset import InvalidCursor, keyset_page
from shanzhi.orgs.models import TERRITORIAL_KINDS, User
from shanzhi.orgs.permissions import sees_everything, subtree_q

# What a tracking number can look like (HB20261128-000123; prefixes are configurable): ASCII letters, digits, dashes.
TRACKING_NO_TEXT = re.compile(r"[A-Z0-9][A-Z0-9-]{0,23}")


def scope_filter(user: User) -> Q | None:
    """The Q that limits appeals to ``user``'s scope; None means everything. Raises nothing: no scope → no rows."""
    if sees_everything(user):
        return None
    unit = user.unit
    if unit is None or not user.is_active:
        return Q(pk__in=[])
    assigned = Exists(Assignment.objects.filter(subtree_q(user), appeal=OuterRef("pk")))
    if unit.kind in TERRITORIAL_KINDS:
        return subtree_q(user, "area_path") | Q(assigned)
    return Q(assigned)


def appeals_visible_to(user: User) -> QuerySet[Appeal]:
    qs = Appeal.objects.all()
    condition = scope_filter(user)
    return qs if condition is None else qs.filter(condition)


def appeal_get(*, user: User, key: int | str) -> Appeal:
    """One appeal by id or tracking number, if ``user`` may see it; otherwise NotFound (never a hint it exists)."""
    qs = appeals_visible_to(user).select_related("category", "area", "lead_unit", "master", "created_by")
    pk = as_id(key)
    text = str(key).strip().upper()
    if pk is not None:
        appeal = qs.filter(pk=pk).first()
    elif TRACKING_NO_TEXT.fullmatch(text):
        appeal = qs.filter(tracking_no=text).first()
    else:  # neither an id nor a tracking number (Unicode digits, control characters): nothing to look up
        appeal = None
    if appeal is None:
        raise NotFound()
    return appeal


def attachment_get(*, user: User, appeal_id: int, attachment_id: int) -> Attachment:
    """One file of an appeal ``user`` may see; otherwise NotFound (the same answer whether or not it exists)."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, appeal_id=appeal_id, appeal__in=appeals_visible_to(user))
        .only("pk", "appeal_id", "file", "original_name", "content_type", "size")
        .first()
    )
    if attachment is None:
        raise NotFound()
    return attachment


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    qs = Assignment.objects.all()
    if sees_everything(user):
        return qs
    if user.unit is None:
        return qs.none()
    return qs.filter(subtree_q(user) | Q(appeal__in=appeals_visible_to(user)))


def appeal_timeline(*, appeal: Appeal, public_only: bool = False) -> list[AppealEvent]:
    qs = appeal.events.select_related("actor", "actor_unit", "assignment__unit").order_by("created_at", "id")
    if public_only:
        qs = qs.filter(is_public=True)
    return list(qs)


def my_assignment(*, user: User, appeal: Appeal) -> Assignment | None:
    """The viewer's unit's active assignment on this appeal (current round), if any."""
    if user.unit_id is None:
        return None
    return (
        appeal.assignments.filter(unit_id=user.unit_id, round=appeal.round, state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_related("unit")
        .first()
    )


def pending_requests(*, appeal: Appeal) -> list[AssignmentRequest]:
    return list(
        AssignmentRequest.objects.filter(assignment__appeal=appeal, state=RequestState.PENDING).select_related(
            "assignment__unit", "requested_by"
        )
    )


def allowed_actions(*, user: User, appeal: Appeal) -> list[str]:
    """The action codes ``user`` may take on ``appeal`` now (for buttons; the services check again)."""
    roles = user.role_codes
    mine = my_assignment(user=user, appeal=appeal)
    result = []
    for code, spec in rules.ACTIONS.items():
        if appeal.state not in spec.from_states or not spec.roles.intersection(roles):
            continue
        if spec.needs_assignment:
            if mine is None:
                continue
            if code == "sign" and mine.state != AssignmentState.PENDING:
                continue
            if code in ("contact", "feedback") and mine.state != AssignmentState.SIGNED:
                continue
        if code == "decide_request" and not pending_requests(appeal=appeal):
            continue
        if code == "answer" and appeal.appeal_type != "consultation":
            continue
        result.append(code)
    return result


# --- the work bench -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueuePage:
    rows: list[Assignment]
    next_cursor: str | None


QUEUE_BUCKETS = ("todo", "due_today", "overdue", "pending_sign")


def unit_queue(
    *,
    user: User,
    bucket: str = "todo",
    now: dt.datetime,
    end_of_day: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> QueuePage:
    """The unit's active assignments, soonest deadline first, with keyset pagination (fast at millions of rows).

    The cursor is ``<due_at iso>|<id>`` of the last row shown; pages never use OFFSET.
    """
    if user.unit_id is None:
        return QueuePage([], None)
    qs = Assignment.objects.filter(unit_id=user.unit_id)
    if bucket == "pending_sign":
        qs = qs.filter(state=AssignmentState.PENDING)
    else:
        qs = qs.filter(state__in=[AssignmentState.PENDING, AssignmentState.SIGNED])
    if bucket == "overdue":
        qs = qs.filter(due_at__lt=now)
    elif bucket == "due_today" and end_of_day is not None:
        qs = qs.filter(due_at__gte=now, due_at__lt=end_of_day)
    qs = qs.select_related("appeal", "appeal__category", "unit")
    try:
        rows, next_cursor = keyset_page(qs, field="due_at", cursor=cursor, limit=limit)
    except InvalidCursor:  # a stale or edited link: the first page
        rows, next_cursor = keyset_page(qs, field="due_at", cursor=None, limit=limit)
    return QueuePage(rows, next_cursor)
