"""Shared set-up of the benchmarks: a throw-away PostgreSQL database, Django on it, and a minimal district.

Only 127.0.0.1. The database is created at start and dropped at the end (also after a failure).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _admin_connect():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


@contextlib.contextmanager
def bench_database(name: str) -> Iterator[str]:
    """Create database ``name`` (dropping a leftover), yield its URL, drop it afterwards."""
    if not PG_SERVER.startswith(("postgres://postgres@127.0.0.1", "postgresql://postgres@127.0.0.1")):
        raise SystemExit("benchmarks run against a local PostgreSQL on 127.0.0.1 only")
    with _admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        from django.db import connections

        connections.close_all()
        with _admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(database_url: str) -> None:
    """Point Django at ``database_url`` (production-like: DEBUG off, quiet logs) and migrate."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load_district() -> dict:
    """A district with 2 towns × 2 communities × 2 grids, the centre, 3 departments, a category tree with a
    catalogue, the default SLA policies, and an integration user. Returns what the benchmarks need."""
    from django.contrib.auth.models import Group

    from shanzhi.orgs.models import Boundary, Unit, UnitKind, User
    from shanzhi.routing.models import Category, DispatchRule
    from shanzhi.sla.services import ensure_default_policies

    def unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        return Unit.objects.create(code=code, name=name, kind=kind, parent=parent)

    city = unit("150300000000", "乌海市", UnitKind.CITY, None)
    district = unit("150302000000", "海勃湾区", UnitKind.DISTRICT, city)
    centre = unit("150302-ZX", "海勃湾区社会治理中心", UnitKind.CENTRE, district)
    departments = [
        unit(code, name, UnitKind.DEPARTMENT, district)
        for code, name in (("D-CG", "区城市管理综合执法局"), ("D-ZJ", "区住房和城乡建设局"), ("D-SW", "区水务局"))
    ]
    grids = []
    for t in (1, 3):
        town = unit(f"150302{t:03d}000", f"街道{t}", UnitKind.TOWN, district)
        for c in (1, 2):
            community = unit(f"150302{t:03d}{c:03d}", f"社区{t}-{c}", UnitKind.COMMUNITY, town)
            for g in (1, 2):
                grids.append(unit(f"{community.code}{g:03d}", f"网格{t}-{c}-{g}", UnitKind.GRID, community))
    ring = [[106.75, 39.60], [106.90, 39.60], [106.90, 39.75], [106.75, 39.75], [106.75, 39.60]]
    Boundary.objects.create(unit=district, geojson={"type": "Polygon", "coordinates": [ring]})

    build = Category.objects.create(code="01", name="城乡建设")
    municipal = Category.objects.create(code="0101", name="市政设施", parent=build)
    road_light = Category.objects.create(code="010101", name="路灯损坏", parent=municipal)
    prop = Category.objects.create(code="0102", name="物业管理", parent=build)
    prop_service = Category.objects.create(code="010201", name="物业服务", parent=prop)
    rule = DispatchRule.objects.create(category=municipal, lead_unit=departments[0])
    rule.assisting_units.add(departments[1])
    DispatchRule.objects.create(category=prop, lead_unit=None, territorial_level="town")
    ensure_default_policies()

    user = User.objects.create_user(username="bench-integration", password=None, unit=centre)
    user.groups.add(Group.objects.get_or_create(name="integration")[0])
    return {
        "user": user,
        "centre": centre,
        "departments": departments,
        "grids": grids,
        "categories": [road_light, prop_service],
    }


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 (and max) in milliseconds of ``samples`` given in seconds."""
    if not samples:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000, "max": max(samples) * 1000}


def timed(fn, repeat: int, warm_up: int = 1) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Percentiles of ``repeat`` calls of ``fn`` after ``warm_up`` untimed ones."""
    for _ in range(warm_up):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)
