"""The grid's demo data: patrols, field reports and verifications for the demo district's grid workers, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.appeals.models import Appeal, Channel
from shanzhi.demo.district import demo_load
from shanzhi.grid.demo import demo_load as grid_demo_load
from shanzhi.grid.models import CheckIn, GridReport, Patrol, PatrolState

NOW = dt.datetime(2025, 11, 20, 2, 30, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_demo_field_work_is_made_through_the_services_and_loads_twice_alike():
    report = demo_load(appeals=30, seed=7, now=NOW, train_classifier=False)
    lines = [line for line in report.lines if line.startswith("网格：")]
    assert lines and "4 名网格员" in lines[0]
    assert Patrol.objects.count() == 4 * 5 and CheckIn.objects.count() == 4 * 5 * 4
    assert not Patrol.objects.filter(state=PatrolState.ONGOING).exists()
    assert not CheckIn.objects.filter(inside_grid=False).exists()
    assert Appeal.objects.count() == 30  # the desk's appeals only: the grid's demo adds none
    by_workers = Appeal.objects.filter(channel=Channel.GRID, created_by__groups__name="grid_worker")
    assert by_workers.exists() and GridReport.objects.count() == by_workers.count()
    counts = (Patrol.objects.count(), CheckIn.objects.count(), GridReport.objects.count())
    again = grid_demo_load(seed=7, now=NOW, scale="demo")
    assert "新增巡查 0 次、网格上报 0 件" in again[0]
    assert (Patrol.objects.count(), CheckIn.objects.count(), GridReport.objects.count()) == counts
