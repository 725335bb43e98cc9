"""Supervision orders by hand: the centre issues (人工督办), the unit replies, the centre closes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.events import record_event
from shanzhi.appeals.guards import lock_appeal, lock_assignment
from shanzhi.appeals.models import ACTIVE_ASSIGNMENT_STATES, Assignment
from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.orgs import permissions
from shanzhi.orgs.models import User
from shanzhi.sla import rules
from shanzhi.sla.calendar import current_calendar
from shanzhi.supervision.models import SupervisionLevel, SupervisionOrder, SupervisionState, SupervisionTrigger


def _is_centre(actor: User) -> bool:
    return permissions.may_issue_supervision(actor)


def supervision_issue(*, actor: User, assignment: Assignment, level: str, reason: str) -> SupervisionOrder:
    """A centre leader or dispatcher presses the unit of an active assignment (人工督办)."""
    if not _is_centre(actor):
        raise PermissionDenied(_("只有中心领导或派单员可以督办"))
    if level not in SupervisionLevel.values:
        raise ValidationFailed(_("督办级别无效"), field="level")
    if not reason.strip():
        raise ValidationFailed(_("请填写督办事由"), field="reason")
    now = clock.now()
    with transaction.atomic():
        _appeal, locked = lock_assignment(assignment.pk)  # the appeal first, then the assignment (one lock order)
        if locked.state not in ACTIVE_ASSIGNMENT_STATES:
            raise TransitionNotAllowed(_("该派单已结束，不能督办"))
        order = SupervisionOrder.objects.create(
            assignment=locked,
            appeal=locked.appeal,
            unit_id=locked.unit_id,
            level=level,
            trigger=SupervisionTrigger.MANUAL,
            reason=reason.strip(),
            issued_at=now,
            issued_by=actor,
            reply_due_at=rules.add_working_days(now, 1, current_calendar()),
        )
        record_event(
            appeal=locked.appeal,
            kind="supervised",
            at=now,
            actor=actor,
            assignment=locked,
            reason=order.reason,
            is_public=False,
            payload={"level": level, "trigger": SupervisionTrigger.MANUAL, "order_id": order.pk},
        )
    return order


def supervision_reply(*, actor: User, order: SupervisionOrder, reply: str) -> SupervisionOrder:
    """The supervised unit answers the order."""
    if actor.unit_id != order.unit_id and not actor.is_superuser:
        raise PermissionDenied(_("只有被督办单位可以回复督办单"))
    if not reply.strip():
        raise ValidationFailed(_("请填写督办回复"), field="reply")
    return _transition(
        order,
        actor=actor,
        allowed=(SupervisionState.OPEN,),
        to=SupervisionState.REPLIED,
        changes={"reply": reply.strip(), "replied_by": actor},
        action="replied",
    )


def supervision_close(*, actor: User, order: SupervisionOrder) -> SupervisionOrder:
    """The centre closes an order (answered, or the assignment is done)."""
    if not _is_centre(actor):
        raise PermissionDenied(_("只有中心领导或派单员可以办结督办单"))
    return _transition(
        order,
        actor=actor,
        allowed=(SupervisionState.OPEN, SupervisionState.REPLIED),
        to=SupervisionState.CLOSED,
        changes={"closed_by": actor},
        action="closed",
    )


def _transition(
    order: SupervisionOrder, *, actor: User, allowed: tuple[str, ...], to: str, changes: dict[str, Any], action: str
) -> SupervisionOrder:
    now = clock.now()
    with transaction.atomic():
        lock_appeal(SupervisionOrder.objects.values_list("appeal_id", flat=True).get(pk=order.pk))  # appeal first
        locked = SupervisionOrder.objects.select_for_update().select_related("appeal", "assignment").get(pk=order.pk)
        if locked.state not in allowed:
            raise TransitionNotAllowed()
        stamp_field = "replied_at" if to == SupervisionState.REPLIED else "closed_at"
        for name, value in {**changes, "state": to, stamp_field: now}.items():
            setattr(locked, name, value)
        locked.save()
        record_event(
            appeal=locked.appeal,
            kind="supervised",
            at=now,
            actor=actor,
            assignment=locked.assignment,
            reason=locked.reply if action == "replied" else "",
            is_public=False,
            payload={"order_id": locked.pk, "action": action},
        )
    return locked
