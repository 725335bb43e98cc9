#!/usr/bin/env python
"""Scale benchmark: the model district with N appeals of history from the fast generator (``shanzhi demo --appeals N``,
COPY on PostgreSQL), then the work bench and the monthly report timed at that size.

    .venv/bin/python benchmarks/scale.py                          # 5,000,000 appeals (about an hour to generate)
    .venv/bin/python benchmarks/scale.py --appeals 500000
    .venv/bin/python benchmarks/scale.py --keep --reuse           # keep the database; measure again, no regenerating

Measures:
- generation: appeals per second through the generator (and the KPI facts of the months the report reads);
- the work bench: ``appeals.selectors.unit_queue`` (a unit's queue: filtered by bucket, sorted by deadline, keyset
  pages) for the busiest department and a town, and the console's work-bench page through Django's test client;
- the monthly report: ``reports.monthly.monthly_report`` for the whole district, and its XLSX and DOCX files.

Creates its database ``shanzhi_bench_scale`` on 127.0.0.1 (BENCH_PG) and drops it unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

from _common import PG_SERVER, _admin_connect, django_setup, timed

DATABASE = "shanzhi_bench_scale"


def _database(reuse: bool) -> tuple[str, bool]:
    """The database's URL, and whether it already holds the history."""
    with _admin_connect() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone() is not None
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{DATABASE}" WITH (FORCE)')
            exists = False
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{PG_SERVER}/{DATABASE}", exists


def _months_of_the_report(now: dt.datetime) -> list[tuple[dt.date, dt.date]]:
    """The last full month, the one before it and the same month a year earlier: what the monthly report reads."""
    from shanzhi.core import clock
    from shanzhi.reports import rules

    local = clock.local_date(now)
    last = (local.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    period = rules.month_period(last.year, last.month)
    previous = rules.previous_month(period)
    year_ago = rules.same_month_last_year(period)
    return [(p.start, p.end) for p in (period, previous, year_ago)]


def generate(n: int, seed: int) -> dict[str, float]:
    from shanzhi.core import clock
    from shanzhi.demo.district import demo_load
    from shanzhi.demo.history import history_generate
    from shanzhi.reports import facts

    now = clock.now()
    started = time.monotonic()
    demo_load(appeals=0, seed=seed, now=now, train_classifier=False)
    setup = time.monotonic() - started
    history = history_generate(n=n, seed=seed, now=now, progress=lambda line: print("  generated", line, flush=True))
    print(history.line(), flush=True)
    started = time.monotonic()
    rows = 0
    for start, end in _months_of_the_report(now):
        rows += facts.rebuild_days(start=start, end=end, now=now).get("appeal_rows", 0)
    facts_seconds = time.monotonic() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "setup_s": setup,
        "appeals": history.appeals,
        "rows": history.appeals + history.assignments + history.events + history.follow_ups,
        "generate_s": history.seconds,
        "appeals_per_s": history.appeals / history.seconds,
        "facts_s": facts_seconds,
    }


def measure(repeat: int) -> list[tuple[str, dict[str, float]]]:
    from django.db.models import Count
    from django.test import Client

    from shanzhi.appeals.models import Assignment
    from shanzhi.appeals.selectors import unit_queue
    from shanzhi.core import clock
    from shanzhi.orgs.models import Unit, UnitKind, User
    from shanzhi.reports import exports, monthly

    now = clock.now()
    busiest = (
        Assignment.objects.filter(state__in=["pending", "signed"])
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None, "no open work: generate first"
    department = Unit.objects.get(pk=busiest["unit_id"])
    town = Unit.objects.filter(kind=UnitKind.TOWN, is_virtual=False).order_by("code").first()
    handler = User.objects.create_user(username=f"bench-{time.time_ns()}", unit=department)
    town_handler = User.objects.create_user(username=f"bench-t-{time.time_ns()}", unit=town)
    from django.contrib.auth.models import Group

    for user in (handler, town_handler):
        user.groups.add(Group.objects.get_or_create(name="handler")[0])
    analyst = User.objects.filter(groups__name="analyst").first()
    open_work = busiest["n"]
    print(f"busiest unit: {department.name}, {open_work} open assignments", flush=True)

    results = []
    first = unit_queue(user=handler, now=now, limit=50)
    cursor = first.next_cursor
    for _ in range(9):
        if cursor is None:
            break
        cursor = unit_queue(user=handler, now=now, cursor=cursor, limit=50).next_cursor
    results.append((f"work bench: {department.name} todo, first page", timed(
        lambda: list(unit_queue(user=handler, now=now, limit=50).rows), repeat)))  # fmt: skip
    if cursor is not None:
        results.append(("work bench: same, page 11 by keyset", timed(
            lambda: list(unit_queue(user=handler, now=now, cursor=cursor, limit=50).rows), repeat)))  # fmt: skip
    for bucket in ("overdue", "due_today", "pending_sign"):
        results.append((f"work bench: {department.name} {bucket}", timed(
            lambda b=bucket: list(unit_queue(user=handler, bucket=b, now=now, limit=50).rows), repeat)))  # fmt: skip
    results.append((f"work bench: {town.name} todo (territorial)", timed(
        lambda: list(unit_queue(user=town_handler, now=now, limit=50).rows), repeat)))  # fmt: skip
    client = Client()
    client.force_login(handler)
    results.append(("console work bench page (GET /console/, rendered)", timed(
        lambda: client.get("/console/"), max(20, repeat // 5))))  # fmt: skip
    results.append(("console overdue bucket page", timed(
        lambda: client.get("/console/?bucket=overdue"), max(20, repeat // 5))))  # fmt: skip

    last = clock.local_date(now).replace(day=1) - dt.timedelta(days=1)
    report_timing = timed(lambda: monthly.monthly_report(user=analyst, year=last.year, month=last.month, now=now), 5)
    results.append((f"monthly report {last:%Y-%m}, whole district", report_timing))
    report = monthly.monthly_report(user=analyst, year=last.year, month=last.month, now=now)
    results.append(("monthly report XLSX", timed(lambda: exports.monthly_xlsx(report), 3)))
    results.append(("monthly report DOCX", timed(lambda: exports.monthly_docx(report), 3)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=20251128)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="measure an existing database without regenerating")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url, exists = _database(args.reuse)
    try:
        django_setup(url)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM appeals_appeal")
            present = cursor.fetchone()[0]
        if not exists or present == 0:
            figures = generate(args.appeals, args.seed)
            print("generation:", {k: round(v, 1) for k, v in figures.items()}, flush=True)
        else:
            print(f"reusing {DATABASE} with {present} appeals", flush=True)
        print(f"{'measure':58} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'max ms':>9}")
        for name, t in measure(args.repeat):
            print(f"{name:58} {t['p50']:9.1f} {t['p95']:9.1f} {t['p99']:9.1f} {t['max']:9.1f}", flush=True)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            with _admin_connect() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    print("load average:", os.getloadavg())


if __name__ == "__main__":
    main()
