"""Background work of proactive governance (``django.tasks``; periodic ones enqueued by ``shanzhi scheduler``)."""

from __future__ import annotations

from django.tasks import task

from shanzhi.appeals.models import Appeal
from shanzhi.core import clock
from shanzhi.proactive.services import duplicates_propose_for, duplicates_sweep, hotspots_detect


@task
def detect_hotspots() -> dict[str, int]:
    """Raise or extend hotspots for the configured windows (every 15 minutes)."""
    return hotspots_detect(now=clock.now()).as_dict()


@task
def propose_duplicates() -> int:
    """Merge proposals for the appeals of the last two hours (every 5 minutes; idempotent)."""
    return duplicates_sweep(now=clock.now())


@task
def propose_duplicates_for(appeal_id: int) -> int:
    """Merge proposals for one appeal (enqueue after intake: ``propose_duplicates_for.enqueue(appeal.pk)``)."""
    appeal = Appeal.objects.select_related("area", "category").filter(pk=appeal_id).first()
    return len(duplicates_propose_for(appeal)) if appeal is not None else 0
