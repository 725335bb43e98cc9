"""Rules and escalation of a case: extension of the term with both parties' consent, leader-owned cases (领导包案),
joint consultation (集体会商). The term's warnings and the judicial-confirmation reminder are the sweep's
(:mod:`shanzhi.mediation.sweep`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.mediation import rules
from shanzhi.mediation.models import OPEN_CASE_STATES, Case, Consultation, EventKind
from shanzhi.mediation.steps import case_actor_check, case_locked, event_append, need_text
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Role, Unit, User


def case_extend(*, actor: User, case: Case, days: int, consent: str) -> Case:
    """Extend the 30-day term, only with both parties' consent (recorded), at most 30 days in all."""
    case_actor_check(actor, case)
    consent = need_text(consent, field="consent", message=_("请记录双方当事人同意延期的情况"))
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case, allowed=OPEN_CASE_STATES)
        if not rules.extension_allowed(already=locked.extended_days, days=days):
            raise ValidationFailed(
                _("延期天数无效：累计不得超过 %(max)s 天") % {"max": rules.MAX_EXTENSION_DAYS}, field="days"
            )
        old_due = locked.due_at
        locked.due_at = old_due + dt.timedelta(days=days)
        locked.extended_days += days
        locked.warned_at = locked.overdue_at = None
        locked.save(update_fields=["due_at", "extended_days", "warned_at", "overdue_at"])
        event_append(
            locked,
            EventKind.EXTENDED,
            actor=actor,
            at=now,
            from_state=locked.state,
            note=f"延长 {days} 天至 {locked.due_at.astimezone(clock.centre_tz()):%Y-%m-%d}；{consent[:150]}",
            payload={"days": days, "old_due": old_due.isoformat(), "new_due": locked.due_at.isoformat()},
        )
    return locked


def case_leader_own(*, actor: User, case: Case, leader: User) -> Case:
    """领导包案: a centre leader owns the case (the leader takes it, or a leader names one)."""
    if not permissions.holds(actor, {Role.LEADER, Role.ADMIN}):
        raise PermissionDenied(_("只有中心领导可以包案"))
    if not leader.has_role(Role.LEADER):
        raise ValidationFailed(_("包案人须为中心领导"), field="leader")
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case, allowed=OPEN_CASE_STATES)
        locked.leader = leader
        locked.save(update_fields=["leader"])
        event_append(locked, EventKind.LEADER_OWNED, actor=actor, at=now, from_state=locked.state, note=str(leader),
               payload={"leader_id": leader.pk})  # fmt: skip
    return locked


def consultation_record(*, actor: User, case: Case, departments: list[Unit], conclusion: str) -> Consultation:
    """集体会商: at least two departments, and the conclusion."""
    case_actor_check(actor, case)
    units = {u.pk: u for u in departments}
    if len(units) < 2:
        raise ValidationFailed(_("集体会商须至少有两个部门参加"), field="departments")
    conclusion = need_text(conclusion, field="conclusion", message=_("请填写会商意见"))
    now = clock.now()
    with transaction.atomic():
        locked = case_locked(case, allowed=OPEN_CASE_STATES)
        consultation = Consultation.objects.create(case=locked, conclusion=conclusion, by=actor, at=now)
        consultation.departments.set(units.values())
        names = "、".join(u.name for u in units.values())
        event_append(locked, EventKind.CONSULTATION, actor=actor, at=now, from_state=locked.state,
               note=f"{names}：{conclusion[:150]}", payload={"consultation_id": consultation.pk,
                                                            "departments": sorted(units)})  # fmt: skip
    return consultation
