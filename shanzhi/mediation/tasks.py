"""Background work of mediation (``django.tasks``; enqueued by ``shanzhi scheduler``)."""

from __future__ import annotations

from django.tasks import task

from shanzhi.mediation.sweep import mediation_sweep


@task
def sweep_mediation() -> dict[str, int]:
    """Term warnings, overdue cases and judicial-confirmation reminders."""
    return mediation_sweep()
