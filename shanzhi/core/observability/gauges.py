"""The kernel's own gauges: the task queue (django-tasks' database backend), by status."""

from __future__ import annotations

from django.db.models import Count

from shanzhi.core.observability import metrics


def task_queue_depth() -> dict[tuple[str, ...], int]:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).values("status").annotate(n=Count("id"))
    counts: dict[tuple[str, ...], int] = {("READY",): 0, ("RUNNING",): 0}
    counts.update({(row["status"],): row["n"] for row in rows})
    return counts


def register() -> None:
    metrics.register_gauge(
        "shanzhi_task_queue",
        "Background tasks waiting (READY) or being run (RUNNING)",
        task_queue_depth,
        labels=("status",),
    )
