"""Pure dispatch rules: which catalogue line wins, and which territorial unit leads. No ORM here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleCandidate:
    """A catalogue line reduced to what precedence needs."""

    rule_id: int
    category_depth: int  # how far the rule's category is from the appeal's (0 = the same category)
    area_depth: int | None  # depth of the rule's area in the hierarchy; None = district-wide
    priority: int


def choose_rule(candidates: Sequence[RuleCandidate]) -> RuleCandidate | None:
    """Precedence: the nearest category first; then the smallest area (deepest); then priority; then lowest id.

    Candidates must already be restricted to rules whose area contains the appeal's place (or is district-wide).
    """
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (
            c.category_depth,
            -(c.area_depth if c.area_depth is not None else -1),
            -c.priority,
            c.rule_id,
        ),
    )


def territorial_lead(chain: Sequence[tuple[str, str, bool]], level: str) -> int | None:
    """Index in ``chain`` of the territorial unit that leads.

    ``chain`` is the place's units from the most specific up: (kind, code, usable). The lead is the first usable
    unit at ``level`` ("community" or "town"); a grid is never the lead, its community or town is; if no unit at that
    level is usable, the next usable one above it.
    """
    order = ["grid", "community", "town", "district"]
    wanted = order.index(level)
    for i, (kind, _code, usable) in enumerate(chain):
        if kind in order and order.index(kind) >= wanted and usable:
            return i
    return None
