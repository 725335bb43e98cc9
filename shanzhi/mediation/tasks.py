"""Background work of mediation (``django.tasks``; enqueued by ``shanzhi scheduler``)."""

from __future__ import annotations

from django.tasks import task

from shanzhi.mediation.notices import appointment_reminders_send
from shanzhi.mediation.sweep import mediation_sweep


@task
def sweep_mediation() -> dict[str, int]:
    """Term warnings, overdue cases and judicial-confirmation reminders."""
    return mediation_sweep()


@task
def remind_appointments() -> int:
    """纠纷预约: the reminders of the day before (SMS and portal message)."""
    return appointment_reminders_send()
