"""Pure rules of co-governance: which state may follow which, the figures, the centre score. No ORM, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

#: demand state → the states it may move to (需求清单). ``declined`` and ``done`` are final.
DEMAND_TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"matched", "declined"}),
    "matched": frozenset({"in_project", "submitted", "declined"}),
    "in_project": frozenset({"done", "matched"}),
    "done": frozenset(),
    "declined": frozenset(),
}

#: project state → the states it may move to (项目清单).
PROJECT_TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"running", "cancelled"}),
    "running": frozenset({"finished", "cancelled"}),
    "finished": frozenset(),
    "cancelled": frozenset(),
}

#: Demand states that count as "matched" for the matched rate (a resource was found for it).
MATCHED_STATES = frozenset({"matched", "in_project", "done"})
#: Demand states residents see as still open for support (votes and comments).
OPEN_STATES = frozenset({"submitted", "matched", "in_project"})


#: How many demands one phone may post in 24 hours (the portal's own limits guard sign-in and appeals).
DEMANDS_PER_DAY = 5


def may_post_demand(*, recent_demands: int) -> bool:
    return recent_demands < DEMANDS_PER_DAY


def demand_may_move(source: str, target: str) -> bool:
    return target in DEMAND_TRANSITIONS.get(source, frozenset())


def project_may_move(source: str, target: str) -> bool:
    return target in PROJECT_TRANSITIONS.get(source, frozenset())


def demand_state_after_project(project_state: str) -> str:
    """What the demand becomes when its project reaches ``project_state``."""
    return {"planned": "in_project", "running": "in_project", "finished": "done", "cancelled": "matched"}[project_state]


def resource_has_room(*, capacity: int, open_projects: int, is_available: bool) -> bool:
    """A resource takes a new demand while it is available and its open projects are below its capacity."""
    return is_available and open_projects < capacity


def matched_rate(*, demands: int, matched: int) -> float | None:
    """Matched demands over demands (0..1); None without demands."""
    if demands <= 0:
        return None
    return matched / demands


def total_hours(hours: Iterable[Decimal]) -> Decimal:
    return sum(hours, Decimal("0"))


def checklist_score(items: Iterable[tuple[int, bool]]) -> float | None:
    """(weight, met) of every active item → the share of the weights met (0..1); None without items."""
    pairs = list(items)
    full = sum(weight for weight, _met in pairs)
    if full <= 0:
        return None
    return sum(weight for weight, met in pairs if met) / full


def checklist_grade(score: float | None) -> str:
    """The compliance grade shown in the overview."""
    if score is None:
        return "未评估"
    if score >= 0.9:
        return "达标"
    if score >= 0.6:
        return "基本达标"
    return "未达标"
