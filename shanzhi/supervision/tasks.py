"""Background work of supervision (``django.tasks``; enqueued by ``shanzhi scheduler`` every minute)."""

from __future__ import annotations

from django.tasks import task

from shanzhi.supervision.sweep import deadlines_sweep


@task
def sweep_deadlines() -> dict[str, int]:
    """Raise yellow/red warnings and automatic supervision orders for assignments past their points in time."""
    return deadlines_sweep()
