"""Creating dispatch rounds: one assignment per unit, deadlines from the SLA policy, the reason stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.events import record_event
from shanzhi.appeals.models import Appeal, AppealState, Assignment, AssignmentRole, EventKind
from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import Unit, User
from shanzhi.routing.services import dispatch_plan
from shanzhi.sla.services import deadlines_for


def dispatch_by_catalogue(*, appeal: Appeal, actor: User | None, at: dt.datetime, only_if_lead: bool) -> bool:
    """Dispatch with the catalogue's plan. Returns False (and leaves the appeal for a dispatcher) when no lead unit
    is found and ``only_if_lead``; the reason is kept on the appeal either way."""
    plan = dispatch_plan(category=appeal.category, area=appeal.area)
    appeal.routing_explanation = plan.explanation_text
    if plan.lead_unit is None:
        if only_if_lead:
            return False
        raise ValidationFailed(_("派单目录未找到主办单位，请手工选择"), code="no_lead_unit")
    dispatch_round(
        appeal=appeal,
        actor=actor,
        at=at,
        lead_unit=plan.lead_unit,
        assisting_units=plan.assisting_units,
        explanation=plan.explanation_text,
        rule_id=plan.rule_id,
    )
    return True


def dispatch_round(
    *,
    appeal: Appeal,
    actor: User | None,
    at: dt.datetime,
    lead_unit: Unit,
    assisting_units: Sequence[Unit] = (),
    explanation: str = "",
    rule_id: int | None = None,
    reason: str = "",
    kind: str = EventKind.DISPATCHED,
) -> list[Assignment]:
    """Open a new round: the lead and assisting assignments, each with its deadlines. The caller saves ``appeal``."""
    if not lead_unit.is_active or lead_unit.is_virtual:
        raise ValidationFailed(_("主办单位已停用或为虚拟单位"), code="invalid_lead_unit")
    deadlines = deadlines_for(category=appeal.category, urgency=appeal.urgency, start=at)
    appeal.round += 1
    units = [(lead_unit, AssignmentRole.LEAD)] + [
        (u, AssignmentRole.ASSISTING) for u in dict.fromkeys(assisting_units) if u.pk != lead_unit.pk
    ]
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                appeal=appeal,
                unit=unit,
                role=role,
                round=appeal.round,
                dispatched_at=at,
                dispatched_by=actor,
                sign_due_at=deadlines.sign_due_at,
                contact_due_at=deadlines.contact_due_at,
                due_at=deadlines.due_at,
                warn_at=deadlines.warn_at,
                explanation=explanation,
            )
            for unit, role in units
        ]
    )
    from_state = appeal.state
    appeal.state = AppealState.DISPATCHED
    appeal.lead_unit = lead_unit
    appeal.due_at = deadlines.due_at
    appeal.warning = "none"
    if explanation:
        appeal.routing_explanation = explanation
    record_event(
        appeal=appeal,
        kind=kind,
        at=at,
        actor=actor,
        from_state=from_state,
        to_state=AppealState.DISPATCHED,
        reason=reason or explanation,
        payload={
            "round": appeal.round,
            "lead": lead_unit.code,
            "lead_name": lead_unit.name,
            "assisting": [u.code for u, role in units if role == AssignmentRole.ASSISTING],
            "rule": rule_id,
            "due_at": deadlines.due_at.isoformat(),
        },
    )
    return assignments
