"""The machine's suggestions as the console shows them: read through the routing contract
(:mod:`shanzhi.routing.suggestions`), without the units that returned the appeal (an approved 退回)."""

from __future__ import annotations

from shanzhi.appeals.models import Appeal, AssignmentRequest
from shanzhi.routing.rules import units_returned
from shanzhi.routing.services import suggestions_replan
from shanzhi.routing.suggestions import RoutingSuggestion, suggestions_read


def returned_unit_ids(appeal: Appeal) -> frozenset[int]:
    """Units whose return of ``appeal`` was approved: never proposed for it again (one query)."""
    if appeal.pk is None:
        return frozenset()
    rows = AssignmentRequest.objects.filter(assignment__appeal_id=appeal.pk, kind="return").values_list(
        "assignment__unit_id", "kind", "state"
    )
    return units_returned(rows)


def suggestions_of(appeal: Appeal) -> list[RoutingSuggestion]:
    """The stored suggestions of ``appeal`` that can be acted on (malformed items skipped), best first; a lead that
    returned the appeal is replaced by the catalogue's next choice."""
    found = suggestions_read(appeal.routing_suggestions)
    if not found:
        return found
    return suggestions_replan(
        found,
        area=appeal.area,
        text=f"{appeal.title}\n{appeal.content}",
        channel=appeal.channel,
        exclude_units=returned_unit_ids(appeal),
    )


def top_suggestion(appeal: Appeal) -> RoutingSuggestion | None:
    found = suggestions_of(appeal)
    return found[0] if found else None
