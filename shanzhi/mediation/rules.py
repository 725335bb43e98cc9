"""Pure rules of mediation: terms, the choice of a mediator, risk alerts and the KPI arithmetic (time passed in,
no ORM)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

#: 人民调解: a case is mediated within 30 days unless both parties agree to extend.
DEFAULT_TERM_DAYS = 30
#: 司法确认: the parties may apply to the court within 30 days of the agreement taking effect.
JUDICIAL_CONFIRMATION_DAYS = 30

REFERRAL_ROUTES = {
    "litigation": "诉讼",
    "arbitration": "仲裁",
    "administrative": "行政途径",
}

KIND_ORDER = {"resident": 0, "rotating": 1, "on_call": 2}


def case_due(created_at: dt.datetime, *, days: int = DEFAULT_TERM_DAYS) -> dt.datetime:
    return created_at + dt.timedelta(days=days)


def judicial_confirmation_deadline(signed_on: dt.date) -> dt.date:
    return signed_on + dt.timedelta(days=JUDICIAL_CONFIRMATION_DAYS)


def raises_alert(risk_level: str) -> bool:
    """A high-risk screening report raises an alert for the centre."""
    return risk_level == "high"


@dataclass(frozen=True)
class MediatorCandidate:
    id: int
    domains: tuple[str, ...]
    kind: str
    open_cases: int
    available: bool


def mediator_pick(candidates: Iterable[MediatorCandidate], *, domain: str) -> int | None:
    """分: among the available mediators, those who take ``domain`` first (any mediator when none does), then the
    lightest workload, then resident before rotating before on-call, then the lowest id. None when nobody is free."""
    free = [c for c in candidates if c.available]
    if not free:
        return None
    specialists = [c for c in free if domain in c.domains]
    pool = specialists or free
    best = min(pool, key=lambda c: (c.open_cases, KIND_ORDER.get(c.kind, 9), c.id))
    return best.id


def rate(part: int, whole: int) -> float | None:
    """part / whole in 0..1, None when there is nothing to divide."""
    if whole <= 0:
        return None
    return part / whole
