"""The helpers every step of a case shares: the timeline event, the locked case, the actor's check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.mediation import policy
from shanzhi.mediation.models import Case, CaseEvent
from shanzhi.orgs.models import User


def event_append(
    case: Case,
    kind: str,
    *,
    actor: User | None,
    at: dt.datetime,
    from_state: str = "",
    note: str = "",
    payload: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=at,
        actor=actor,
        from_state=from_state,
        to_state=case.state,
        note=note,
        payload=payload or {},
    )


def need_text(value: str, *, field: str, message: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, field=field)
    return value


def case_locked(case: Case, *, allowed: tuple[str, ...]) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.state not in allowed:
        raise TransitionNotAllowed(_("案件当前状态下不能执行此操作"), state=locked.state)
    return locked


def case_actor_check(actor: User, case: Case) -> None:
    if not policy.may_work_cases(actor):
        raise PermissionDenied(_("只有调解员或中心派单员、领导可以办理纠纷案件"))
    scope = policy.case_scope_q(actor)
    if scope is not None and not Case.objects.filter(scope, pk=case.pk).exists():
        raise PermissionDenied(_("该案件不在您的管辖范围内"))
