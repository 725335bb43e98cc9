"""Appending to an appeal's history. Every service that changes an appeal calls :func:`record_event`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment
from shanzhi.appeals.principals import Principal, principal_code, staff_of
from shanzhi.core.model_instances import new_instance
from shanzhi.orgs.models import User


def event_draft(
    *,
    appeal: Appeal,
    kind: str,
    at: dt.datetime,
    actor: User | Principal | None = None,
    assignment: Assignment | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    is_public: bool = True,
) -> AppealEvent:
    """An unsaved event; ``actor_unit`` is the actor's unit at the time (kept even if they move later). A
    :class:`Principal` (the citizen, a system process) is named in the payload under ``"by"``."""
    staff = staff_of(actor)
    payload = dict(payload or {})
    if code := principal_code(actor):
        payload.setdefault("by", code)
    return new_instance(
        AppealEvent,
        appeal=appeal,
        assignment=assignment,
        kind=kind,
        actor=staff,
        actor_unit_id=staff.unit_id if staff is not None else None,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload,
        is_public=is_public,
        created_at=at,
    )


def record_event(**kwargs: Any) -> AppealEvent:
    """Append one immutable event (same arguments as :func:`event_draft`)."""
    event = event_draft(**kwargs)
    event.save()
    return event
