"""Creating dispatch rounds: one assignment per unit, deadlines from the SLA policy, the reason stored.

A round is first drafted in memory (:func:`draft_round`: the appeal's fields set, the assignments and the event
built) and then written with two bulk inserts (:func:`save_round`), so intake can write a new appeal once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.events import event_draft
from shanzhi.appeals.models import (
    Appeal,
    AppealEvent,
    AppealState,
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    EventKind,
)
from shanzhi.appeals.principals import Actor, staff_of
from shanzhi.appeals.round_ending import rounds_end_before
from shanzhi.core.errors import ValidationFailed
from shanzhi.core.model_instances import new_instance
from shanzhi.orgs.models import Unit
from shanzhi.routing.rules import units_returned
from shanzhi.routing.services import dispatch_plan
from shanzhi.sla.services import deadlines_capped, deadlines_for


@dataclass
class RoundDraft:
    assignments: list[Assignment]
    event: AppealEvent


def draft_round(
    *,
    appeal: Appeal,
    actor: Actor | None,
    at: dt.datetime,
    lead_unit: Unit,
    assisting_units: Sequence[Unit] = (),
    explanation: str = "",
    rule_id: int | None = None,
    reason: str = "",
    kind: str = EventKind.DISPATCHED,
) -> RoundDraft:
    """Set the appeal up for a new round (in memory) and build its assignments and event (unsaved)."""
    if not lead_unit.is_active or lead_unit.is_virtual:
        raise ValidationFailed(_("主办单位已停用或为虚拟单位"), code="invalid_lead_unit")
    deadlines = deadlines_capped(
        deadlines_for(category=appeal.category, urgency=appeal.urgency, start=at), start=at, cap=appeal.external_due_at
    )
    appeal.round += 1
    units = [(lead_unit, AssignmentRole.LEAD)] + [
        (u, AssignmentRole.ASSISTING) for u in dict.fromkeys(assisting_units) if u.pk != lead_unit.pk
    ]
    assignments = [
        new_instance(
            Assignment,
            appeal=appeal,
            unit=unit,
            role=role,
            round=appeal.round,
            dispatched_at=at,
            dispatched_by=staff_of(actor),
            sign_due_at=deadlines.sign_due_at,
            contact_due_at=deadlines.contact_due_at,
            due_at=deadlines.due_at,
            warn_at=deadlines.warn_at,
            explanation=explanation,
        )
        for unit, role in units
    ]
    from_state = appeal.state
    appeal.state = AppealState.DISPATCHED
    appeal.lead_unit = lead_unit
    appeal.due_at = deadlines.due_at
    appeal.warning = "none"
    if explanation:
        appeal.routing_explanation = explanation
    event = event_draft(
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
    return RoundDraft(assignments=assignments, event=event)


def save_round(draft: RoundDraft) -> list[Assignment]:
    """Write a drafted round (the appeal must be saved first). A new round ends what it replaces: the shares of the
    earlier rounds still open (an assisting unit that never fed back) end with an event each."""
    appeal = draft.event.appeal
    if appeal.round > 1:
        rounds_end_before(appeal=appeal, round_no=appeal.round, at=draft.event.created_at, actor=draft.event.actor)
    created = Assignment.objects.bulk_create(draft.assignments)
    AppealEvent.objects.bulk_create([draft.event])
    return created


def _returned_units(appeal: Appeal) -> frozenset[int]:
    """Units whose return of ``appeal`` was approved: the catalogue never sends it back to them."""
    if appeal.pk is None:
        return frozenset()
    rows = AssignmentRequest.objects.filter(assignment__appeal_id=appeal.pk, kind="return").values_list(
        "assignment__unit_id", "kind", "state"
    )
    return units_returned(rows)


def draft_by_catalogue(
    *, appeal: Appeal, actor: Actor | None, at: dt.datetime, only_if_lead: bool, prefix: str = ""
) -> RoundDraft | None:
    """Draft a round with the catalogue's plan. None (the appeal waits for a dispatcher) when no lead unit is found
    and ``only_if_lead``; the reason is kept on the appeal either way."""
    plan = dispatch_plan(
        category=appeal.category,
        area=appeal.area,
        text=f"{appeal.title}\n{appeal.content}",
        channel=appeal.channel,
        at=at,
        exclude_units=_returned_units(appeal),
    )
    if prefix:
        plan.explanation.insert(0, prefix)
    appeal.routing_explanation = plan.explanation_text
    if plan.lead_unit is None:
        if only_if_lead:
            return None
        raise ValidationFailed(_("派单目录未找到主办单位，请手工选择"), code="no_lead_unit")
    return draft_round(
        appeal=appeal,
        actor=actor,
        at=at,
        lead_unit=plan.lead_unit,
        assisting_units=plan.assisting_units,
        explanation=plan.explanation_text,
        rule_id=plan.rule_id,
    )


def dispatch_by_catalogue(*, appeal: Appeal, actor: Actor | None, at: dt.datetime, only_if_lead: bool) -> bool:
    """Dispatch a saved appeal by the catalogue; False when it must wait for a dispatcher. The caller saves it."""
    draft = draft_by_catalogue(appeal=appeal, actor=actor, at=at, only_if_lead=only_if_lead)
    if draft is None:
        return False
    save_round(draft)
    return True


def dispatch_round(*, appeal: Appeal, **kwargs: object) -> list[Assignment]:
    """Draft and write a round for a saved appeal (see :func:`draft_round` for the arguments)."""
    return save_round(draft_round(appeal=appeal, **kwargs))  # type: ignore[arg-type]
