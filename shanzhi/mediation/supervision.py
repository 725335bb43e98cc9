"""督办 on dispute cases, the way appeals are supervised: the sweep raises an automatic order when a case passes its
30-day term (once per case; overdue again after an extension is a timeline event, no second order), the centre
(the supervision issuers of :mod:`shanzhi.orgs.permissions`) issues orders by hand, the mediation desk of the case
replies, the centre closes. The order and its rules: :mod:`shanzhi.mediation.models_supervision`."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.mediation.models import OPEN_CASE_STATES, Case, CaseSupervision, EventKind
from shanzhi.mediation.steps import case_actor_check, case_locked, event_append, need_text
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, User
from shanzhi.sla import rules as sla_rules
from shanzhi.sla.calendar import current_calendar
from shanzhi.supervision.models import SupervisionLevel, SupervisionState, SupervisionTrigger


def supervised_unit(case: Case) -> Unit:
    """Who is pressed: the committee's unit once assigned, the case's area before."""
    return case.committee.unit if case.committee_id and case.committee else case.unit


def _reply_due(now: dt.datetime) -> dt.datetime:
    return sla_rules.add_working_days(now, 1, current_calendar())


def case_overdue_supervise(*, case: Case, now: dt.datetime) -> CaseSupervision | None:
    """The sweep's automatic order for an overdue case (inside its transaction); None when the case has one."""
    if CaseSupervision.objects.filter(case=case, trigger=SupervisionTrigger.OVERDUE).exists():
        return None
    case = Case.objects.select_related("committee__unit", "unit").get(pk=case.pk)
    reason = str(_("超过调解期限未办结，系统自动督办"))
    try:
        with transaction.atomic():
            order = CaseSupervision.objects.create(
                case=case, unit=supervised_unit(case), level=SupervisionLevel.OVERDUE,
                trigger=SupervisionTrigger.OVERDUE, reason=reason, issued_at=now, reply_due_at=_reply_due(now),
            )  # fmt: skip
    except IntegrityError:  # another sweep raised it a moment ago
        return None
    event_append(case, EventKind.SUPERVISED, actor=None, at=now, from_state=case.state, note=reason,
                 payload={"order_id": order.pk, "level": order.level, "trigger": order.trigger})  # fmt: skip
    return order


def case_supervise(*, actor: User, case: Case, level: str, reason: str) -> CaseSupervision:
    """人工督办: a centre leader or dispatcher presses the unit about an open case."""
    if not permissions.may_issue_supervision(actor):
        raise PermissionDenied(_("只有中心领导或派单员可以督办"))
    if level not in SupervisionLevel.values:
        raise ValidationFailed(_("督办级别无效"), field="level")
    reason = need_text(reason, field="reason", message=_("请填写督办事由"))
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case, allowed=OPEN_CASE_STATES)
        full = Case.objects.select_related("committee__unit", "unit").get(pk=locked.pk)
        order = CaseSupervision.objects.create(
            case=locked, unit=supervised_unit(full), level=level, trigger=SupervisionTrigger.MANUAL, reason=reason,
            issued_at=now, issued_by=actor, reply_due_at=_reply_due(now),
        )  # fmt: skip
        event_append(locked, EventKind.SUPERVISED, actor=actor, at=now, from_state=locked.state,
                     note=f"{order.get_level_display()}：{reason[:150]}",
                     payload={"order_id": order.pk, "level": level, "trigger": order.trigger})  # fmt: skip
    return order


def _order_locked(order: CaseSupervision, *, allowed: tuple[str, ...]) -> CaseSupervision:
    locked = CaseSupervision.objects.select_for_update().select_related("case").get(pk=order.pk)
    if locked.state not in allowed:
        raise TransitionNotAllowed(_("督办单当前状态下不能执行此操作"), state=locked.state)
    return locked


def case_supervision_reply(*, actor: User, order: CaseSupervision, reply: str) -> CaseSupervision:
    """The case's mediation desk (the mediators and desk staff who may work the case) answers the order."""
    case_actor_check(actor, order.case)
    reply = need_text(reply, field="reply", message=_("请填写督办回复"))
    now = clock.now()
    with transaction.atomic():
        locked = _order_locked(order, allowed=(SupervisionState.OPEN,))
        locked.reply, locked.replied_at, locked.replied_by = reply, now, actor
        locked.state = SupervisionState.REPLIED
        locked.save(update_fields=["reply", "replied_at", "replied_by", "state"])
        event_append(locked.case, EventKind.SUPERVISED, actor=actor, at=now, from_state=locked.case.state,
                     note=f"{_('督办回复')}：{reply[:150]}",
                     payload={"order_id": locked.pk, "action": "replied"})  # fmt: skip
    return locked


def case_supervision_close(*, actor: User, order: CaseSupervision) -> CaseSupervision:
    """The centre closes an order (answered, or the case is resolved)."""
    if not permissions.may_issue_supervision(actor):
        raise PermissionDenied(_("只有中心领导或派单员可以办结督办单"))
    now = clock.now()
    with transaction.atomic():
        locked = _order_locked(order, allowed=(SupervisionState.OPEN, SupervisionState.REPLIED))
        locked.state, locked.closed_at, locked.closed_by = SupervisionState.CLOSED, now, actor
        locked.save(update_fields=["state", "closed_at", "closed_by"])
        event_append(locked.case, EventKind.SUPERVISED, actor=actor, at=now, from_state=locked.case.state,
                     note=str(_("督办单已办结")), payload={"order_id": locked.pk, "action": "closed"})  # fmt: skip
    return locked
