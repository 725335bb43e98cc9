"""Demo data of the grid: a few days of patrols with check-ins for every grid worker, the demo desk's channel-grid
appeals recorded as their field reports, and verifications of those the unit has fed back on.

Idempotent: every submission uses a key made from the seed, the worker and the day, so a second run finds what the
first stored (the same dedup the phones rely on). ``scale="district"`` also gives every grid without one a worker.
"""

from __future__ import annotations

import datetime as dt
import random
from unittest import mock

from django.contrib.auth.models import Group
from shapely.geometry import Point

from shanzhi.appeals.models import Appeal, AppealState, Channel
from shanzhi.core import clock
from shanzhi.grid import selectors, services
from shanzhi.grid.models import GridReport, Patrol
from shanzhi.orgs.models import Boundary, Role, Unit, UnitKind, User
from shanzhi.places.geometry import geometry_from_geojson

DAYS = 5


def _workers(scale: str) -> list[User]:
    group, _created = Group.objects.get_or_create(name=Role.GRID_WORKER)
    if scale == "district":
        staffed = set(User.objects.filter(groups=group).values_list("unit_id", flat=True))
        for grid in Unit.objects.filter(kind=UnitKind.GRID, is_active=True).exclude(pk__in=staffed):
            user = User.objects.create_user(
                username=f"gw{grid.code[-9:]}", password=None, unit=grid, display_name=f"{grid.name}网格员"
            )
            user.groups.add(group)
    return list(
        User.objects.filter(groups=group, is_active=True, unit__kind=UnitKind.GRID, unit__is_active=True)
        .select_related("unit")
        .order_by("username")
    )


def _spot(rng: random.Random, grid: Unit) -> tuple[float, float] | None:
    boundary = Boundary.objects.filter(unit=grid, is_current=True).order_by("-version").first()
    if boundary is None:
        return None
    shape = geometry_from_geojson(boundary.geojson)
    west, south, east, north = shape.bounds
    for _ in range(50):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if shape.covers(Point(lon, lat)):
            return round(lon, 6), round(lat, 6)
    point = shape.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _link_reports(worker: User, grid: Unit, seed: int) -> int:
    """The demo desk already took in the grid workers' reports (channel grid, the worker as intake actor): record
    them as the worker's field reports, on the patrol of that day where there is one. (A real report goes through
    :func:`services.grid_report_make`, which takes the appeal in; these appeals exist already.)"""
    made = 0
    appeals = Appeal.objects.filter(channel=Channel.GRID, created_by=worker, grid_report__isnull=True)
    for appeal in appeals.filter(area_path__startswith=grid.path).order_by("created_at"):
        day = appeal.created_at.date()
        patrol = Patrol.objects.filter(worker=worker, started_at__date=day).first()
        GridReport.objects.create(
            appeal=appeal,
            worker=worker,
            grid=grid,
            grid_path=grid.path,
            patrol=patrol,
            boundary_version=services.grid_boundary_version(grid),
            at=appeal.created_at,
            client_key=f"demo{seed}-appeal-{appeal.pk}",
        )
        made += 1
    return made


def demo_load(*, seed: int, now: dt.datetime, scale: str) -> list[str]:
    # The field work happens at the demo's "now" (which may lie in the past): the services read the clock.
    with mock.patch.object(clock, "now", lambda: now):
        return _load(seed=seed, current=now, scale=scale)


def _load(*, seed: int, current: dt.datetime, scale: str) -> list[str]:
    workers = _workers(scale)
    before = (Patrol.objects.count(), GridReport.objects.count())
    verified = linked = 0
    for worker in workers:
        rng = random.Random(f"{seed}:{worker.username}")
        grid = worker.unit
        assert grid is not None
        if _spot(rng, grid) is None:
            continue
        for day in range(DAYS, 0, -1):
            start = current - dt.timedelta(days=day - 1, hours=rng.randint(3, 6))
            patrol_key = f"demo{seed}-{worker.pk}-p{day}"
            services.patrol_start(actor=worker, client_key=patrol_key, made_at=start)
            for n in range(4):
                lon, lat = _spot(rng, grid) or (0.0, 0.0)
                services.patrol_check_in(
                    actor=worker,
                    client_key=f"{patrol_key}-c{n}",
                    patrol_key=patrol_key,
                    made_at=start + dt.timedelta(minutes=15 * (n + 1)),
                    longitude=lon,
                    latitude=lat,
                )
            services.patrol_finish(
                actor=worker, patrol_key=patrol_key, made_at=start + dt.timedelta(hours=1, minutes=20)
            )
        linked += _link_reports(worker, grid, seed)
        for appeal in selectors.appeals_to_verify(worker, grid).filter(state=AppealState.FEEDBACK)[:1]:
            services.verification_record(
                actor=worker,
                client_key=f"demo{seed}-{worker.pk}-v{appeal.pk}",
                made_at=current - dt.timedelta(minutes=30),
                appeal_key=appeal.pk,
                passed=True,
                note="现场核查已整改",
            )
            verified += 1
    patrols, reports = Patrol.objects.count() - before[0], linked
    grid_appeals = GridReport.objects.filter(appeal__channel=Channel.GRID).count()
    return [
        f"网格：{len(workers)} 名网格员，新增巡查 {patrols} 次、网格上报 {reports} 件（共 {grid_appeals} 件），"
        f"现场核查 {verified} 件"
    ]
