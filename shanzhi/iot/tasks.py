"""Background work of IoT sensing (``django.tasks``; enqueued by ``shanzhi scheduler``)."""

from __future__ import annotations

from django.tasks import task

from shanzhi.iot.services import devices_sweep_offline


@task
def sweep_offline() -> int:
    """Mark devices offline that have not spoken within the offline threshold."""
    return devices_sweep_offline()
