"""The handling unit's side of the lifecycle: sign for, contact the citizen, feed back, and the requests
(return / extend / shelve) that the centre approves or refuses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.events import record_event
from shanzhi.appeals.feedback_photos import photos_prepare, photos_store
from shanzhi.appeals.guards import check, lock_assignment
from shanzhi.appeals.models import (
    ACTIVE_ASSIGNMENT_STATES,
    Appeal,
    AppealState,
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentState,
    EventKind,
    RequestKind,
    RequestState,
)
from shanzhi.appeals.round_ending import round_end_with_lead_feedback
from shanzhi.appeals.rules import worst_warning
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, TransitionNotAllowed, ValidationFailed
from shanzhi.orgs.models import User
from shanzhi.sla.services import deadline_after_pause, deadline_extended, warn_at_after_pause, warn_at_between

MAX_EXTENSION_DAYS = 30


def _refuse(message: str | Promise, code: str = "transition_not_allowed") -> TransitionNotAllowed:
    return TransitionNotAllowed(message, code=code)


def _touch(appeal: Appeal) -> None:
    appeal.version += 1
    appeal.save()


def _recompute_warning(appeal: Appeal) -> None:
    """The appeal's warning is the worst of its active assignments' (the deadline sweep keeps those current)."""
    appeal.warning = worst_warning(
        appeal.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).values_list("warning", flat=True)
    )


@transaction.atomic
def assignment_sign(*, actor: User, assignment: Assignment) -> Assignment:
    """签收: the unit acknowledges. The lead's signature puts the appeal in progress."""
    appeal, assignment = lock_assignment(assignment)
    check("sign", actor=actor, appeal=appeal, assignment=assignment)
    if assignment.state != AssignmentState.PENDING:
        raise _refuse(_("该派单不是待签收状态"))
    at = clock.now()
    assignment.state = AssignmentState.SIGNED
    assignment.signed_at, assignment.signed_by = at, actor
    assignment.save()
    to_state = AppealState.IN_PROGRESS if assignment.role == AssignmentRole.LEAD else appeal.state
    record_event(
        appeal=appeal,
        assignment=assignment,
        kind=EventKind.SIGNED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=to_state,
        payload={"unit": assignment.unit.name},
    )
    if to_state != appeal.state:
        appeal.state = to_state
        _touch(appeal)
    return assignment


@transaction.atomic
def assignment_record_contact(*, actor: User, assignment: Assignment, note: str) -> Assignment:
    """联系诉求人: the first contact counts for the response rate."""
    appeal, assignment = lock_assignment(assignment)
    check("contact", actor=actor, appeal=appeal, assignment=assignment)
    if assignment.state != AssignmentState.SIGNED:
        raise _refuse(_("请先签收再联系诉求人"))
    at = clock.now()
    if assignment.contacted_at is None:
        assignment.contacted_at = at
        assignment.save(update_fields=["contacted_at"])
    record_event(
        appeal=appeal,
        assignment=assignment,
        kind=EventKind.CONTACTED,
        at=at,
        actor=actor,
        reason=(note or "").strip(),
        is_public=False,
    )
    return assignment


@transaction.atomic
def assignment_feedback(
    *,
    actor: User,
    assignment: Assignment,
    text: str,
    resolved: bool,
    photos: Sequence[IO[bytes]] = (),
) -> Assignment:
    """处置反馈: the unit's account, with photos of the work if it has them (before/after).

    The lead's feedback sends the appeal to the centre for review and closes the round: the assisting shares still
    open end with it. An assisting unit's feedback (协办反馈) goes to the lead: it is shown on the appeal and in the
    lead unit's work bench, and the appeal's state does not change."""
    appeal, assignment = lock_assignment(assignment)
    check("feedback", actor=actor, appeal=appeal, assignment=assignment)
    if assignment.state != AssignmentState.SIGNED:
        raise _refuse(_("该派单不在办理中，不能反馈"))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写处置情况"), code="feedback_required")
    prepared = photos_prepare(photos)  # every photo checked before anything is written
    at = clock.now()
    assignment.state = AssignmentState.DONE
    assignment.feedback, assignment.feedback_at, assignment.done_at = text, at, at
    assignment.resolved = resolved
    if assignment.contacted_at is None:
        assignment.contacted_at = at
    assignment.save()
    is_lead = assignment.role == AssignmentRole.LEAD
    to_state = AppealState.FEEDBACK if is_lead else appeal.state
    payload: dict[str, object] = {"resolved": resolved, "role": assignment.role, "photos": len(prepared)}
    if not is_lead and appeal.lead_unit is not None:
        payload["to_lead"] = appeal.lead_unit.name
    record_event(
        appeal=appeal,
        assignment=assignment,
        kind=EventKind.FEEDBACK,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=to_state,
        reason=text,
        payload=payload,
        is_public=False,
    )
    if is_lead:
        appeal.state = to_state
        appeal.resolved = resolved
        round_end_with_lead_feedback(appeal=appeal, lead=assignment, at=at, actor=actor)
    _recompute_warning(appeal)
    _touch(appeal)
    if prepared:
        photos_store(appeal=appeal, assignment=assignment, actor=actor, photos=prepared, at=at)
    return assignment


@transaction.atomic
def assignment_request(
    *,
    actor: User,
    assignment: Assignment,
    kind: str,
    reason: str,
    basis: str = "",
    extra_working_days: int | None = None,
) -> AssignmentRequest:
    """退回 / 延期 / 挂账 request. One pending request per assignment at a time."""
    appeal, assignment = lock_assignment(assignment)
    check("request", actor=actor, appeal=appeal, assignment=assignment)
    if kind not in RequestKind.values:
        raise ValidationFailed(_("申请类型无效"), code="invalid_request_kind")
    allowed = {
        RequestKind.RETURN: (AssignmentState.PENDING, AssignmentState.SIGNED),
        RequestKind.EXTEND: (AssignmentState.SIGNED,),
        RequestKind.SHELVE: (AssignmentState.SIGNED,),
    }[RequestKind(kind)]
    if assignment.state not in allowed:
        raise _refuse(_("该派单当前状态不能提出此申请"))
    if assignment.requests.filter(state=RequestState.PENDING).exists():
        raise _refuse(_("已有待审批的申请，请等待中心审批"), code="request_pending")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写申请理由"), code="reason_required")
    if kind == RequestKind.RETURN and not basis.strip():
        raise ValidationFailed(_("退回须写明职责或权限依据"), code="basis_required")
    if kind == RequestKind.EXTEND and not (extra_working_days and 1 <= extra_working_days <= MAX_EXTENSION_DAYS):
        raise ValidationFailed(_("延期天数须在 1 至 30 个工作日之间"), code="invalid_extension")
    at = clock.now()
    request = AssignmentRequest.objects.create(
        assignment=assignment,
        kind=kind,
        reason=reason,
        basis=basis.strip(),
        extra_working_days=extra_working_days if kind == RequestKind.EXTEND else None,
        requested_by=actor,
        requested_at=at,
    )
    record_event(
        appeal=appeal,
        assignment=assignment,
        kind=EventKind.REQUESTED,
        at=at,
        actor=actor,
        reason=reason,
        payload={
            "request": request.pk,
            "kind": kind,
            "basis": basis,
            "extra_working_days": extra_working_days,
        },
        is_public=False,
    )
    return request


@transaction.atomic
def request_decide(*, actor: User, request: AssignmentRequest, approve: bool, note: str = "") -> AssignmentRequest:
    """The centre approves or refuses a unit's request."""
    assignment_id = AssignmentRequest.objects.filter(pk=request.pk).values_list("assignment_id", flat=True).first()
    if assignment_id is None:
        raise NotFound()
    appeal, assignment = lock_assignment(assignment_id)
    request = AssignmentRequest.objects.select_for_update().get(pk=request.pk)
    check("decide_request", actor=actor, appeal=appeal)
    if request.state != RequestState.PENDING:
        raise _refuse(_("该申请已审批"), code="request_decided")
    at = clock.now()
    request.state = RequestState.APPROVED if approve else RequestState.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, at, (note or "").strip()
    request.save()
    payload = {"request": request.pk, "kind": request.kind, "note": request.decision_note}
    record_event(
        appeal=appeal,
        assignment=assignment,
        kind=EventKind.REQUEST_APPROVED if approve else EventKind.REQUEST_REFUSED,
        at=at,
        actor=actor,
        reason=request.decision_note,
        payload=payload,
        is_public=False,
    )
    if not approve:
        return request
    if request.kind == RequestKind.RETURN:
        _apply_return(actor=actor, appeal=appeal, assignment=assignment, request=request)
    elif request.kind == RequestKind.EXTEND:
        _apply_extension(actor=actor, appeal=appeal, assignment=assignment, request=request)
    else:
        assignment.state = AssignmentState.SHELVED
        assignment.paused_at = at
        assignment.save()
        record_event(
            appeal=appeal,
            assignment=assignment,
            kind=EventKind.SHELVED,
            at=at,
            actor=actor,
            reason=request.reason,
            is_public=False,
        )
    _touch(appeal)
    return request


def _apply_return(*, actor: User, appeal: Appeal, assignment: Assignment, request: AssignmentRequest) -> None:
    at = clock.now()
    assignment.state = AssignmentState.RETURNED
    assignment.done_at = at
    assignment.save()
    if assignment.role != AssignmentRole.LEAD:
        _recompute_warning(appeal)
        record_event(
            appeal=appeal,
            assignment=assignment,
            kind=EventKind.RETURNED,
            at=at,
            actor=actor,
            reason=f"{request.reason}（依据：{request.basis}）",
            is_public=False,
        )
        return
    # The lead returned it: the whole round is withdrawn and the appeal waits for a new dispatch.
    appeal.assignments.filter(round=appeal.round, state__in=ACTIVE_ASSIGNMENT_STATES).exclude(pk=assignment.pk).update(
        state=AssignmentState.CANCELLED
    )
    record_event(
        appeal=appeal,
        assignment=assignment,
        kind=EventKind.RETURNED,
        at=at,
        actor=actor,
        from_state=appeal.state,
        to_state=AppealState.ACCEPTED,
        reason=f"{request.reason}（依据：{request.basis}）",
        payload={"unit": assignment.unit.code},
    )
    appeal.state = AppealState.ACCEPTED
    appeal.lead_unit = None
    appeal.due_at = None
    appeal.warning = "none"


def _apply_extension(*, actor: User, appeal: Appeal, assignment: Assignment, request: AssignmentRequest) -> None:
    at = clock.now()
    old = assignment.due_at or at
    assignment.due_at = deadline_extended(due_at=old, extra_working_days=request.extra_working_days or 0)
    assignment.warning = "none"
    assignment.warn_at = warn_at_between(start=assignment.dispatched_at, due_at=assignment.due_at)
    assignment.save()
    if assignment.role == AssignmentRole.LEAD:
        appeal.due_at = assignment.due_at
    _recompute_warning(appeal)
    record_event(
        appeal=appeal,
        assignment=assignment,
        kind=EventKind.EXTENDED,
        at=at,
        actor=actor,
        reason=request.reason,
        payload={
            "from": old.isoformat(),
            "to": assignment.due_at.isoformat(),
            "days": request.extra_working_days,
        },
    )


@transaction.atomic
def assignment_unshelve(*, actor: User, assignment: Assignment, note: str = "") -> Assignment:
    """解除挂账: work resumes; the shelved time is given back to the deadline."""
    appeal, assignment = lock_assignment(assignment)
    check("decide_request", actor=actor, appeal=appeal)
    if assignment.state != AssignmentState.SHELVED:
        raise _refuse(_("该派单未挂账"))
    at = clock.now()
    if assignment.paused_at and assignment.due_at:
        assignment.due_at = deadline_after_pause(
            due_at=assignment.due_at, paused_at=assignment.paused_at, resumed_at=at
        )
        if assignment.warn_at is not None:
            assignment.warn_at = warn_at_after_pause(
                warn_at=assignment.warn_at, paused_at=assignment.paused_at, resumed_at=at
            )
        if assignment.role == AssignmentRole.LEAD:
            appeal.due_at = assignment.due_at
    assignment.state = AssignmentState.SIGNED
    assignment.paused_at = None
    assignment.save()
    record_event(
        appeal=appeal,
        assignment=assignment,
        kind=EventKind.UNSHELVED,
        at=at,
        actor=actor,
        reason=note,
        is_public=False,
    )
    _touch(appeal)
    return assignment
