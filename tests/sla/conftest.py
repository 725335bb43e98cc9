"""Fixtures for the SLA tests: immediate tasks, a fresh calendar cache, the real 2025/2026 calendar, appeals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sla_helpers import SH

from shanzhi.appeals.models import Appeal, Assignment
from shanzhi.orgs.models import Unit
from shanzhi.sla import calendar as sla_calendar
from shanzhi.sla.rules import WorkCalendar

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks_and_fresh_cache(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.TASKS = IMMEDIATE
    sla_calendar.invalidate()
    yield
    sla_calendar.invalidate()


@pytest.fixture(scope="session")
def cn_calendar() -> WorkCalendar:
    """The 2025-2026 State Council arrangements as a pure calendar (no database)."""
    entries = sla_calendar.package_entries({2025, 2026})
    return WorkCalendar(
        holidays=frozenset(day for day, (work, _) in entries.items() if not work),
        workdays=frozenset(day for day, (work, _) in entries.items() if work),
        tz=SH,
    )


@pytest.fixture
def make_assignment(district) -> Callable[..., Assignment]:  # type: ignore[no-untyped-def]
    counter = {"n": 0}

    def make(
        *, dispatched_at: dt.datetime, unit: Unit | None = None, appeal: Appeal | None = None, **fields: object
    ) -> Assignment:
        if appeal is None:
            counter["n"] += 1
            appeal = Appeal.objects.create(
                tracking_no=f"HB20251124-{counter['n']:06d}",
                channel="hotline",
                content="路灯不亮",
                created_at=dispatched_at,
                state="dispatched",
            )
        return Assignment.objects.create(
            appeal=appeal, unit=unit or district.dept_urban, dispatched_at=dispatched_at, **fields
        )

    return make
