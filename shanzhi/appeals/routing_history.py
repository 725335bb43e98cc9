"""The centre's confirmed history as training data for the routing classifier (plugged into routing's port)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shanzhi.appeals.models import Appeal, AppealEvent, EventKind


def confirmed_examples(*, since: datetime | None = None, until: datetime | None = None) -> list[Any]:
    """Appeals whose category a person set or confirmed: an ``accepted``/``dispatched`` event with a human actor.

    The classifier's modules are imported here, not at the top: web processes plug this reader in at start-up and
    must not load numpy and scikit-learn for it (memory per web worker, benchmarks/memory.py)."""
    from shanzhi.routing.classifier.text import join_fields
    from shanzhi.routing.classifier.training import Example

    confirmed = AppealEvent.objects.filter(
        kind__in=[EventKind.ACCEPTED, EventKind.DISPATCHED], actor__isnull=False
    ).values("appeal_id")
    qs = Appeal.objects.filter(category__isnull=False, pk__in=confirmed)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return [
        # ``suggested``: the classifier's first suggestion; a different confirmed category is a correction.
        Example(join_fields(title, content), path, created_at, (suggestions or [{}])[0].get("path", ""))
        for title, content, path, created_at, suggestions in qs.order_by("created_at").values_list(
            "title", "content", "category__path", "created_at", "routing_suggestions"
        )
    ]
