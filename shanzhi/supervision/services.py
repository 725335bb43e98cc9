"""The supervision cycle (督办): the centre issues (人工督办), the unit replies within the reply deadline, the centre
urges (催办), sends an unsatisfying reply back (退回重新回复) and closes. Automatic orders come from the deadline sweep
(:mod:`shanzhi.supervision.sweep`) and then follow the same cycle.

Every step locks the order, checks the transition (:mod:`shanzhi.supervision.rules`), saves, and appends an
internal ``supervised`` event to the appeal with ``payload.action`` saying which step it was. The centre acts only on
orders of appeals it sees; the unit only on orders addressed to it. Units have no notification channel of their
own (the outbox speaks to citizens): an order reaches them through the work bench's counter and the order list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.events import record_event
from shanzhi.appeals.guards import lock_appeal, lock_assignment
from shanzhi.appeals.models import ACTIVE_ASSIGNMENT_STATES, Assignment
from shanzhi.appeals.selectors import appeals_visible_to
from shanzhi.core import clock
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.notifications.unit_alerts import unit_alert_queue
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, User
from shanzhi.sla.calendar import current_calendar
from shanzhi.supervision import rules
from shanzhi.supervision.models import (
    SupervisionLevel,
    SupervisionOrder,
    SupervisionTrigger,
    SupervisionUrge,
)

MAX_TEXT = 2000


def _is_centre(actor: User) -> bool:
    return permissions.may_issue_supervision(actor)


def _text(value: str, *, field: str, message: Any) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, field=field)
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_("内容过长（最多 %(n)s 字）") % {"n": MAX_TEXT}, code="too_long", field=field)
    return text


def _check_centre(actor: User, appeal_id: int, message: Any) -> None:
    if not _is_centre(actor):
        raise PermissionDenied(message)
    if not appeals_visible_to(actor).filter(pk=appeal_id).exists():
        raise NotFound()


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def supervision_issue(
    *, actor: User, assignment: Assignment, level: str, reason: str, at: dt.datetime | None = None
) -> SupervisionOrder:
    """A centre leader or dispatcher presses the unit of an active assignment (人工督办)."""
    _check_centre(actor, assignment.appeal_id, _("只有中心领导或派单员可以督办"))
    if level not in SupervisionLevel.values:
        raise ValidationFailed(_("督办级别无效"), code="invalid_level", field="level")
    reason = _text(reason, field="reason", message=_("请填写督办事由"))
    now = at or clock.now()
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
            reason=reason,
            issued_at=now,
            issued_by=actor,
            reply_due_at=rules.reply_deadline(start=now, calendar=current_calendar()),
        )
        record_event(
            appeal=locked.appeal,
            kind="supervised",
            at=now,
            actor=actor,
            assignment=locked,
            reason=_("人工督办（%(level)s）：%(reason)s")
            % {"level": order.get_level_display(), "reason": order.reason},
            is_public=False,
            payload={
                "level": level,
                "trigger": SupervisionTrigger.MANUAL,
                "order_id": order.pk,
                "unit_id": locked.unit_id,
                "reply_due_at": _iso(order.reply_due_at),
            },
        )
        alert_unit(order, step="issue")
    return order


#: What the unit's duty phone is told, per step (the console's work bench shows the same order).
ALERT_TEXTS = {
    "issue": _("【督办】诉求 %(no)s 收到%(level)s，请于 %(due)s 前在工作台回复督办单。"),
    "urge": _("【催办】诉求 %(no)s 的%(level)s被催办，请于 %(due)s 前回复。"),
    "reject": _("【督办】诉求 %(no)s 的督办回复被退回，请于 %(due)s 前重新回复。"),
}


def alert_unit(order: SupervisionOrder, *, step: str) -> None:
    """Tell the supervised unit's duty phone (值班电话) through the outbox, in the caller's transaction; once per
    order, step and urge. A unit without a mobile duty phone sees the order on its work bench only."""
    unit = Unit.objects.filter(pk=order.unit_id).only("phone").first()
    if unit is None or not unit.phone:
        return
    due = order.reply_due_at.astimezone(clock.centre_tz()).strftime("%m-%d %H:%M") if order.reply_due_at else "—"
    text = str(ALERT_TEXTS[step]) % {"no": order.appeal.tracking_no, "level": order.get_level_display(), "due": due}
    round_no = order.urge_count if step == "urge" else 0
    unit_alert_queue(
        phone=unit.phone, text=text, dedupe_key=f"supervision:{order.pk}:{step}:{round_no}:{_iso(order.reply_due_at)}"
    )


def supervision_reply(
    *, actor: User, order: SupervisionOrder, reply: str, at: dt.datetime | None = None
) -> SupervisionOrder:
    """The supervised unit answers the order; a reply after the reply deadline is recorded as late."""
    if not actor.is_superuser and not (
        actor.unit_id == order.unit_id and permissions.holds(actor, permissions.UNIT_WORK_ROLES)
    ):
        raise PermissionDenied(_("只有被督办单位可以回复督办单"))
    text = _text(reply, field="reply", message=_("请填写督办回复"))

    def change(locked: SupervisionOrder, now: dt.datetime) -> dict[str, Any]:
        late = rules.reply_is_late(replied_at=now, reply_due_at=locked.reply_due_at)
        locked.reply, locked.replied_by, locked.replied_at, locked.replied_late = text, actor, now, late
        return {"late": late, "reply_due_at": _iso(locked.reply_due_at)}

    return _step(order, actor=actor, action="reply", reason=text, change=change, at=at)


def supervision_urge(
    *, actor: User, order: SupervisionOrder, note: str, at: dt.datetime | None = None
) -> SupervisionOrder:
    """催办: the centre presses on an open order; level and reply deadline follow :func:`rules.urge_outcome`."""
    _check_centre(actor, order.appeal_id, _("只有中心领导或派单员可以催办"))
    text = _text(note, field="note", message=_("请填写催办意见"))

    def change(locked: SupervisionOrder, now: dt.datetime) -> dict[str, Any]:
        outcome = rules.urge_outcome(
            level=locked.level, reply_due_at=locked.reply_due_at, now=now, calendar=current_calendar()
        )
        SupervisionUrge.objects.create(
            order=locked,
            at=now,
            by=actor,
            note=text,
            level_from=locked.level,
            level_to=outcome.level,
            reply_due_from=locked.reply_due_at,
            reply_due_to=outcome.reply_due_at,
        )
        payload = {
            "level_from": locked.level,
            "level": outcome.level,
            "reply_due_from": _iso(locked.reply_due_at),
            "reply_due_at": _iso(outcome.reply_due_at),
            "urge_no": locked.urge_count + 1,
        }
        locked.level, locked.reply_due_at = outcome.level, outcome.reply_due_at
        locked.urge_count += 1
        locked.last_urged_at = now
        return payload

    return _step(order, actor=actor, action="urge", reason=text, change=change, at=at)


def supervision_reject(
    *, actor: User, order: SupervisionOrder, note: str, at: dt.datetime | None = None
) -> SupervisionOrder:
    """退回重新回复: the centre finds the reply unsatisfying; the order is open again with a fresh reply deadline.
    The reply it sends back stays in the appeal's timeline (this step's event)."""
    _check_centre(actor, order.appeal_id, _("只有中心领导或派单员可以退回督办回复"))
    text = _text(note, field="note", message=_("请填写退回意见"))

    def change(locked: SupervisionOrder, now: dt.datetime) -> dict[str, Any]:
        payload = {
            "rejected_reply": locked.reply,
            "replied_at": _iso(locked.replied_at),
            "late": locked.replied_late,
        }
        locked.reply_due_at = rules.reply_deadline(start=now, calendar=current_calendar())
        locked.reply, locked.replied_at, locked.replied_by, locked.replied_late = "", None, None, False
        locked.returned_note = text
        payload["reply_due_at"] = _iso(locked.reply_due_at)
        return payload

    return _step(order, actor=actor, action="reject", reason=text, change=change, at=at)


def supervision_close(
    *, actor: User, order: SupervisionOrder, note: str = "", at: dt.datetime | None = None
) -> SupervisionOrder:
    """The centre closes an order (answered, or the assignment is done)."""
    _check_centre(actor, order.appeal_id, _("只有中心领导或派单员可以办结督办单"))
    text = (note or "").strip()[:MAX_TEXT]

    def change(locked: SupervisionOrder, now: dt.datetime) -> dict[str, Any]:
        locked.closed_by, locked.closed_at, locked.close_note = actor, now, text
        return {"from": locked.state}

    return _step(order, actor=actor, action="close", reason=text, change=change, at=at)


def _step(
    order: SupervisionOrder,
    *,
    actor: User,
    action: str,
    reason: str,
    change: Any,
    at: dt.datetime | None,
) -> SupervisionOrder:
    now = at or clock.now()
    with transaction.atomic():
        lock_appeal(SupervisionOrder.objects.values_list("appeal_id", flat=True).get(pk=order.pk))  # appeal first
        locked = SupervisionOrder.objects.select_for_update().select_related("appeal", "assignment").get(pk=order.pk)
        if not rules.may_transition(action, locked.state):
            raise TransitionNotAllowed(
                _("督办单当前状态为「%(s)s」，不能执行此操作") % {"s": locked.get_state_display()}
            )
        level_before = locked.get_level_display()
        payload = change(locked, now)
        locked.state = rules.next_state(action)
        locked.save()
        if action in ("urge", "reject"):
            alert_unit(locked, step=action)
        label = str(STEP_LABELS[action])
        if action == "reply" and payload.get("late"):
            label += str(_("（逾期）"))
        elif action == "urge" and payload["level"] != payload["level_from"]:
            label += f"（{level_before}→{locked.get_level_display()}）"
        record_event(
            appeal=locked.appeal,
            kind="supervised",
            at=now,
            actor=actor,
            assignment=locked.assignment,
            reason=f"{label}：{reason}" if reason else label,
            is_public=False,
            payload={"order_id": locked.pk, "action": ACTION_CODES[action], "unit_id": locked.unit_id, **payload},
        )
    return SupervisionOrder.objects.select_related("appeal", "unit", "assignment").get(pk=locked.pk)


#: How each step reads in the appeal's timeline (the event's reason starts with it).
STEP_LABELS = {
    "reply": _("督办回复"),
    "urge": _("催办"),
    "reject": _("退回重新回复"),
    "close": _("督办单办结"),
}
#: The ``payload.action`` each step writes (``replied``/``closed`` as the events written before the cycle said).
ACTION_CODES = {"reply": "replied", "urge": "urged", "reject": "rejected", "close": "closed"}
