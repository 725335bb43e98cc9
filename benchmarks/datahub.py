#!/usr/bin/env python
"""Data hub benchmark (issue 14): importing the model district's 260k persons (target < 60 s) and the map's
bounding-box query at full scale (target p95 < 200 ms).

    .venv/bin/python benchmarks/datahub.py                        # 140k buildings, 260k persons, 30k enterprises
    .venv/bin/python benchmarks/datahub.py --persons 50000 --buildings 20000

Steps, on a throw-away PostgreSQL database ``shanzhi_bench_datahub`` on 127.0.0.1 (BENCH_PG):
1. the model district (real divisions, demo grids with their polygons) without appeals;
2. synthetic departmental CSV files (``shanzhi.datahub.synthetic``: valid ID numbers, households, dwellings);
3. the imports timed through the real service (read, validate every cell, encrypt, bulk insert) — buildings, then
   persons (with their households and dwellings), then the same persons file again (must change nothing);
4. map layers by bounding box (``selectors.map_layer``) for the centre (whole district) and a community's head,
   at three zoom levels, random boxes inside the district: p50/p95/p99.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path

from _common import bench_database, django_setup, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buildings", type=int, default=140_000)
    parser.add_argument("--persons", type=int, default=260_000)
    parser.add_argument("--enterprises", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--profile", action="store_true", help="cProfile the persons import")
    args = parser.parse_args()
    with bench_database("shanzhi_bench_datahub") as url:
        django_setup(url)
        run(args)


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (it runs on this machine: /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(args: argparse.Namespace) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection

    from shanzhi.datahub import selectors, synthetic
    from shanzhi.datahub.imports import datahub_import
    from shanzhi.datahub.models import Person
    from shanzhi.demo.district import demo_load as district_load
    from shanzhi.orgs.models import Unit, UnitKind, User

    started = time.perf_counter()
    synthetic.VOLUMES["demo"] = synthetic.Volumes(0, 0, 0, 0, 0)  # the district loader's own demo: nothing
    district_load(appeals=0, train_classifier=False)
    print(f"district loaded in {time.perf_counter() - started:.1f} s", flush=True)

    synthetic.VOLUMES["bench"] = synthetic.Volumes(args.buildings, args.persons, args.enterprises, 0, 0)
    started = time.perf_counter()
    files = synthetic.files(seed=args.seed, scale="bench")
    print(f"generated {files.counts} in {time.perf_counter() - started:.1f} s "
          f"(persons file {len(files.persons) / 1e6:.1f} MB)", flush=True)  # fmt: skip

    centre = Unit.objects.get(kind=UnitKind.CENTRE)
    actor = User.objects.create_user(username="bench-analyst", unit=centre)
    actor.groups.add(Group.objects.get_or_create(name="analyst")[0])

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "write" and (done == total or done % 50_000 < 5000):
            print(f"  {stage} {done}/{total}", flush=True)

    results: list[tuple[str, float, str]] = []
    for kind, content in (
        ("buildings", files.buildings),
        ("persons", files.persons),
        ("enterprises", files.enterprises),
    ):
        started, cpu, pg_cpu = time.perf_counter(), time.process_time(), _backend_cpu()
        if args.profile and kind == "persons":
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                result = datahub_import(actor=actor, kind=kind, file_name=f"{kind}.csv", content=content)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
        else:
            result = datahub_import(actor=actor, kind=kind, file_name=f"{kind}.csv", content=content, progress=progress)
        seconds = time.perf_counter() - started
        cpu, pg_cpu = time.process_time() - cpu, _backend_cpu() - pg_cpu
        assert result.ok, result.errors[:5]
        b = result.batch
        note = f"{b.rows / seconds:,.0f} rows/s; CPU Python {cpu:.1f} s + PostgreSQL {pg_cpu:.1f} s"
        note += f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        results.append((f"import {kind}: {b.rows} rows (created {b.created})", seconds, note))
        print(results[-1], flush=True)
    started, cpu = time.perf_counter(), time.process_time()
    again = datahub_import(actor=actor, kind="persons", file_name="persons.csv", content=files.persons)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert again.batch.created == 0 and again.batch.updated == 0, again.batch
    results.append(
        (f"re-import persons: unchanged {again.batch.unchanged}", seconds, f"changes nothing; CPU {cpu:.1f} s")
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"persons in the hub: {Person.objects.count()}", flush=True)

    community = Unit.objects.filter(kind=UnitKind.COMMUNITY, children__kind=UnitKind.GRID).order_by("code").first()
    head = User.objects.create_user(username="bench-head", unit=community)
    head.groups.add(Group.objects.get_or_create(name="unit_head")[0])
    rng = random.Random(args.seed)
    west, south, east, north = 106.74, 39.55, 106.90, 39.80  # around 海勃湾区's built-up area
    timings = []
    for label, span in (("district view", 0.16), ("town view", 0.04), ("street view", 0.008)):
        for who, user in (("centre", actor), ("community head", head)):
            for layer in ("buildings", "enterprises"):

                def query(span: float = span, user: User = user, layer: str = layer) -> None:
                    lon = rng.uniform(west, max(west, east - span))
                    lat = rng.uniform(south, max(south, north - span * 0.8))
                    selectors.map_layer(user, layer, (lon, lat, lon + span, lat + span * 0.8))

                stats = timed(query, args.repeat)
                timings.append((f"map {layer}, {label} ({span}°), {who}", stats))
                print(timings[-1], flush=True)

    print("\n## results")
    for name, seconds, note in results:
        print(f"| {name} | {seconds:.1f} s | {note} |")
    for name, stats in timings:
        print(f"| {name} | p50 {stats['p50']:.1f} ms | p95 {stats['p95']:.1f} ms | p99 {stats['p99']:.1f} ms |")


if __name__ == "__main__":
    main()
