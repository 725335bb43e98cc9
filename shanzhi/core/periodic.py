"""Periodic jobs: a declarative registry that ``shanzhi scheduler`` turns into enqueued ``django.tasks`` tasks.

A job is a name, a cron expression (evaluated in the centre's time zone, via ``croniter``) and the dotted path of a
``django.tasks`` task. Apps register their jobs in ``AppConfig.ready()`` with :func:`register`; a deployment can add,
change or switch off jobs with ``settings.SHANZHI_PERIODIC``, a list of dicts
``{"name": ..., "cron": ..., "task": ..., "grace_seconds": 600, "enabled": True}`` (entries override by name).

The scheduler only enqueues; workers run the tasks. Every slot it enqueues is first claimed by inserting a
``ScheduledRun`` row with a unique (job, run_at): when two schedulers run at once, the second insert fails and that
scheduler skips the slot, so each slot is enqueued exactly once (the insert and the enqueue share one transaction,
so a failed enqueue frees the slot again). Only the latest slot is considered; a slot missed by more than the job's
grace period (the scheduler was down) is skipped, not replayed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from croniter import croniter
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from shanzhi.core import clock

logger = logging.getLogger(__name__)

DEFAULT_GRACE = dt.timedelta(minutes=10)
RETENTION = dt.timedelta(days=7)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    cron: str
    task: str
    grace: dt.timedelta = DEFAULT_GRACE
    enabled: bool = True

    def __post_init__(self) -> None:
        if not croniter.is_valid(self.cron):
            raise ValueError(f"invalid cron expression for periodic job {self.name!r}: {self.cron!r}")

    def latest_slot(self, now: dt.datetime) -> dt.datetime:
        """The latest run time at or before ``now`` (UTC)."""
        local = now.astimezone(clock.centre_tz()).replace(microsecond=0) + dt.timedelta(seconds=1)
        previous: dt.datetime = croniter(self.cron, local).get_prev(dt.datetime)
        return previous.astimezone(dt.UTC)


_registry: dict[str, PeriodicJob] = {}


def register(name: str, cron: str, task: str, *, grace_seconds: int | None = None) -> PeriodicJob:
    """Declare a periodic job (idempotent: registering the same name again replaces it)."""
    grace = DEFAULT_GRACE if grace_seconds is None else dt.timedelta(seconds=grace_seconds)
    job = PeriodicJob(name=name, cron=cron, task=task, grace=grace)
    _registry[name] = job
    return job


def unregister(name: str) -> None:
    _registry.pop(name, None)


def jobs() -> list[PeriodicJob]:
    """The registered jobs with ``settings.SHANZHI_PERIODIC`` applied, enabled ones only, by name."""
    merged = dict(_registry)
    overrides: list[dict[str, Any]] = list(getattr(settings, "SHANZHI_PERIODIC", []))
    for entry in overrides:
        base = merged.get(entry["name"])
        grace = entry.get("grace_seconds")
        merged[entry["name"]] = PeriodicJob(
            name=entry["name"],
            cron=entry.get("cron", base.cron if base else ""),
            task=entry.get("task", base.task if base else ""),
            grace=dt.timedelta(seconds=grace) if grace is not None else (base.grace if base else DEFAULT_GRACE),
            enabled=entry.get("enabled", True),
        )
    return [job for name, job in sorted(merged.items()) if job.enabled]


def enqueue_slot(job: PeriodicJob, run_at: dt.datetime, *, now: dt.datetime) -> bool:
    """Claim the slot and enqueue the job's task; False if another scheduler already claimed it."""
    from shanzhi.core.models import ScheduledRun

    task = import_string(job.task)
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, run_at=run_at, enqueued_at=now)
            result = task.enqueue()
            run.task_result_id = str(result.id)[:64]
            run.save(update_fields=["task_result_id"])
    except IntegrityError:
        return False
    logger.info("periodic job %s enqueued for %s", job.name, run_at.isoformat())
    return True


def enqueue_due(*, now: dt.datetime | None = None) -> list[tuple[str, dt.datetime]]:
    """Enqueue every job whose latest slot is due and not yet claimed; returns what this call enqueued.

    A job whose task cannot be imported is logged and skipped, so one broken module never stops the others.
    """
    now = now or clock.now()
    enqueued: list[tuple[str, dt.datetime]] = []
    for job in jobs():
        slot = job.latest_slot(now)
        if now - slot > job.grace:
            continue
        try:
            if enqueue_slot(job, slot, now=now):
                enqueued.append((job.name, slot))
        except ImportError:
            logger.exception("periodic job %s: task %s cannot be imported", job.name, job.task)
    return enqueued


def prune(*, now: dt.datetime | None = None, keep: dt.timedelta = RETENTION) -> int:
    """Forget claimed slots older than ``keep``."""
    from shanzhi.core.models import ScheduledRun

    deleted, _ = ScheduledRun.objects.filter(run_at__lt=(now or clock.now()) - keep).delete()
    return deleted
