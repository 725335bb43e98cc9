"""Appending to an appeal's history. Every service that changes an appeal calls :func:`record_event`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment
from shanzhi.core.model_instances import new_instance
from shanzhi.orgs.models import User


def event_draft(
    *,
    appeal: Appeal,
    kind: str,
    at: dt.datetime,
    actor: User | None = None,
    assignment: Assignment | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    is_public: bool = True,
) -> AppealEvent:
    """An unsaved event; ``actor_unit`` is the actor's unit at the time (kept even if they move later)."""
    return new_instance(
        AppealEvent,
        appeal=appeal,
        assignment=assignment,
        kind=kind,
        actor=actor,
        actor_unit_id=actor.unit_id if actor is not None else None,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
        is_public=is_public,
        created_at=at,
    )


def record_event(**kwargs: Any) -> AppealEvent:
    """Append one immutable event (same arguments as :func:`event_draft`)."""
    event = event_draft(**kwargs)
    event.save()
    return event
