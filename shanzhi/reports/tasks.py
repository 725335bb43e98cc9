"""Background work of the reports (``django.tasks``; enqueued by ``shanzhi scheduler``)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from shanzhi.core import clock
from shanzhi.reports import facts, weekly

NIGHTLY_DAYS = 35


@task
def refresh_facts() -> dict[str, int]:
    """Every few minutes: today, yesterday and the days touched by new events."""
    return facts.refresh_recent()


@task
def rebuild_recent_facts() -> int:
    """Nightly safety net: the last five weeks rebuilt from the source tables."""
    today = clock.local_date()
    return facts.rebuild_history(start=today - dt.timedelta(days=NIGHTLY_DAYS), end=today)


@task
def weekly_supervision_report() -> int:
    """Every Monday: the snapshot of the week just ended. Returns the snapshot's id."""
    now = clock.now()
    return weekly.weekly_snapshot(week=weekly.last_week(now), now=now).pk
