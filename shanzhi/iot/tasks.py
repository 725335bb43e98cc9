"""Background work of IoT sensing (``django.tasks``; enqueued by ``shanzhi scheduler``)."""

from __future__ import annotations

from django.tasks import task

from shanzhi.iot.care import care_sweep
from shanzhi.iot.maintenance import devices_sweep_offline, maintenance_sweep


@task
def sweep_offline() -> int:
    """Mark devices offline that have not spoken within the offline threshold."""
    return devices_sweep_offline()


@task
def sweep_maintenance() -> int:
    """Escalate maintenance work orders past their deadline."""
    return maintenance_sweep()


@task
def sweep_care() -> int:
    """Visit tasks for residents under care whom the gates have not seen for their number of days."""
    return care_sweep()
