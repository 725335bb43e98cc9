"""CONTRACT (to be completed by the SLA work): deadlines for assignments, pauses and extensions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shanzhi.routing.models import Category


@dataclass(frozen=True)
class Deadlines:
    sign_due_at: dt.datetime
    contact_due_at: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime


def deadlines_for(*, category: Category | None, urgency: str, start: dt.datetime) -> Deadlines:
    raise NotImplementedError


def deadline_after_pause(
    *, due_at: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime
) -> dt.datetime:
    raise NotImplementedError


def deadline_extended(*, due_at: dt.datetime, extra_working_days: int) -> dt.datetime:
    raise NotImplementedError
