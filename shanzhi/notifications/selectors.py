"""Reads of the outbox: the citizen's portal inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from shanzhi.core import pii
from shanzhi.notifications.models import NotificationChannel, OutboxMessage, OutboxState


def citizen_inbox(*, phone: str, limit: int = 50) -> QuerySet[OutboxMessage]:
    """The portal messages delivered to the citizen who logged in with ``phone``, newest first."""
    return (
        OutboxMessage.objects.filter(
            recipient=pii.normalize_phone(phone), channel=NotificationChannel.PORTAL, state=OutboxState.SENT
        )
        .select_related("appeal")
        .order_by("-created_at", "-id")[:limit]
    )


def outbox_depth() -> dict[tuple[str, ...], int]:
    """Messages not yet sent, by state (the operator's gauge: a growing ``failed`` or ``dead`` is a gateway down)."""
    from django.db.models import Count

    waiting = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.FAILED, OutboxState.DEAD)
    counts: dict[tuple[str, ...], int] = {(state.value,): 0 for state in waiting}
    rows = OutboxMessage.objects.filter(state__in=waiting).values("state").annotate(n=Count("id"))
    counts.update({(row["state"],): row["n"] for row in rows})
    return counts
