#!/usr/bin/env python
"""Reports benchmark: 1 million appeals (one lead assignment each, follow-ups for the closed ones) generated in
PostgreSQL with INSERT … SELECT generate_series over 13 months (the lead unit follows from category and grid, as
the dispatch catalogue does), the daily facts rebuilt from them, then the timing
of the monthly analysis report (target < 5 s) and of the unit KPI table for a month (target < 300 ms).

    .venv/bin/python benchmarks/reports.py                   # 1,000,000 appeals
    .venv/bin/python benchmarks/reports.py --appeals 200000 --repeat 10

Creates and drops its own database on 127.0.0.1 (BENCH_PG, default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

from _common import bench_database, django_setup, load_district, timed

UNITS = 20
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
DAYS = 395  # 2025-01-01 .. 2026-01-30

APPEALS_SQL = """
INSERT INTO appeals_appeal (
    tracking_no, channel, appeal_type, urgency, state, title, content, category_id,
    citizen_name, citizen_phone, citizen_id_enc, citizen_id_index, is_anonymous, wants_reply,
    address, longitude, latitude, area_id, area_path, round, lead_unit_id, due_at, warning,
    routing_explanation, routing_suggestions, reply_text, rating, external_ref, created_by_id, created_at, updated_at,
    version, closed_at
)
SELECT
    'BR' || lpad(g::text, 9, '0'),
    (ARRAY['hotline','city_12345','web','portal','grid','walk_in'])[1 + (g * 7) %% 6],
    (ARRAY['help','complaint','consultation','report','suggestion','praise'])[1 + (g / 3) %% 6],
    'ordinary',
    CASE WHEN g %% 10 = 0 THEN 'in_progress' ELSE 'closed' END,
    '诉求', '第' || g || '号诉求', (%(categories)s::bigint[])[1 + g %% %(n_categories)s],
    '', '', '', '', false, true, '', 106.8, 39.67,
    (%(grids)s::bigint[])[1 + (g / 7) %% %(n_grids)s], (%(grid_paths)s::text[])[1 + (g / 7) %% %(n_grids)s], 1,
    (%(units)s::bigint[])[1 + (g %% %(n_categories)s * %(n_grids)s + (g / 7) %% %(n_grids)s) %% %(n_units)s],
    %(start)s::timestamptz + g * %(step)s * interval '1 second' + interval '5 days',
    'none', '', '[]'::jsonb, '', '', '', NULL,
    %(start)s::timestamptz + g * %(step)s * interval '1 second', now(), 0,
    CASE WHEN g %% 10 <> 0 THEN %(start)s::timestamptz + g * %(step)s * interval '1 second' + interval '3 days' END
FROM generate_series(1, %(count)s) AS g
"""

ASSIGNMENTS_SQL = """
INSERT INTO appeals_assignment (
    appeal_id, unit_id, role, round, state, dispatched_at, sign_due_at, contact_due_at, due_at, warn_at, warning,
    feedback, explanation, signed_at, contacted_at, feedback_at, done_at, resolved
)
SELECT a.id, a.lead_unit_id, 'lead', 1, CASE a.state WHEN 'closed' THEN 'done' ELSE 'signed' END,
    a.created_at, a.created_at + interval '2 hours', a.created_at + interval '1 day', a.due_at,
    a.created_at + interval '3 days', 'none', '', '',
    a.created_at + CASE WHEN a.id %% 5 = 0 THEN interval '3 hours' ELSE interval '1 hour' END,
    a.created_at + CASE WHEN a.id %% 7 = 0 THEN interval '2 days' ELSE interval '2 hours' END,
    CASE WHEN a.state = 'closed' THEN a.created_at + CASE WHEN a.id %% 8 = 0 THEN interval '6 days'
         ELSE interval '2 days' END END,
    CASE WHEN a.state = 'closed' THEN a.created_at + CASE WHEN a.id %% 8 = 0 THEN interval '6 days'
         ELSE interval '2 days' END END,
    CASE WHEN a.state = 'closed' THEN a.id %% 10 <> 9 END
FROM appeals_appeal a
"""

FOLLOW_UPS_SQL = """
INSERT INTO appeals_followup (appeal_id, round, rating, resolved, reached, note, channel, by_id, at)
SELECT a.id, 1,
    CASE WHEN a.id %% 10 < 7 THEN 'satisfied' WHEN a.id %% 10 < 9 THEN 'fairly_satisfied' ELSE 'dissatisfied' END,
    a.id %% 10 <> 9, true, '', 'phone', %(user)s, a.created_at + interval '7 days'
FROM appeals_appeal a WHERE a.state = 'closed'
"""


def generate(count: int, world: dict) -> float:
    from django.db import connection

    from shanzhi.orgs.models import Unit, UnitKind

    district = world["centre"].parent
    units = list(world["departments"])
    for i in range(len(units), UNITS):
        units.append(Unit.objects.create(code=f"D-{i:03d}", name=f"部门{i}", kind=UnitKind.DEPARTMENT, parent=district))
    grids = world["grids"]
    params = {
        "start": START,
        "step": DAYS * 86400 / count,
        "categories": [c.pk for c in world["categories"]],
        "n_categories": len(world["categories"]),
        "grids": [g.pk for g in grids],
        "grid_paths": [g.path for g in grids],
        "n_grids": len(grids),
        "units": [u.pk for u in units],
        "n_units": len(units),
        "count": count,
        "user": world["user"].pk,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(APPEALS_SQL, params)
        cursor.execute(ASSIGNMENTS_SQL, params)
        cursor.execute(FOLLOW_UPS_SQL, params)
        for table in ("appeals_appeal", "appeals_assignment", "appeals_followup"):
            cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--show-queries", action="store_true", help="print the slowest queries of the rebuild")
    args = parser.parse_args()

    with bench_database(f"shanzhi_bench_reports_{os.getpid()}") as database_url:
        django_setup(database_url)
        from django.contrib.auth.models import Group
        from django.db import connection

        from shanzhi.orgs.models import User
        from shanzhi.reports import exports, facts, monthly, rules, selectors
        from shanzhi.reports.models import DailyAppealFact, DailyUnitFact

        world = load_district()
        gen_seconds = generate(args.appeals, world)
        analyst = User.objects.create_user(username="bench-analyst", password=None, unit=world["centre"])
        analyst.groups.add(Group.objects.get_or_create(name="analyst")[0])
        analyst = User.objects.get(pk=analyst.pk)
        now = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)

        slow: list[tuple[float, str]] = []

        def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                slow.append((time.perf_counter() - began, sql[:160]))

        started = time.perf_counter()
        with connection.execute_wrapper(record):
            facts.rebuild_history(start=dt.date(2024, 12, 31), end=dt.date(2026, 3, 15), now=now)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_dailyunitfact")
            cursor.execute("ANALYZE reports_dailyappealfact")
        rebuild_seconds = time.perf_counter() - started
        if args.show_queries:
            for seconds, sql in sorted(slow, reverse=True)[:8]:
                print(f"  {seconds * 1000:8.0f} ms  {sql}")

        month = selectors.Filters(rules.month_period(2025, 12))
        kpi = timed(lambda: selectors.kpi_table(user=analyst, filters=month, dimension="unit"), args.repeat)
        kpi_year = timed(
            lambda: selectors.kpi_table(
                user=analyst, filters=selectors.Filters(rules.Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
            ),
            args.repeat,
        )
        report = timed(
            lambda: monthly.monthly_report(user=analyst, year=2025, month=12, now=now), max(3, args.repeat // 4)
        )
        built = monthly.monthly_report(user=analyst, year=2025, month=12, now=now)
        files = {}
        for name, maker in (
            ("xlsx", exports.monthly_xlsx),
            ("docx", exports.monthly_docx),
            ("pdf", exports.monthly_pdf),
        ):
            started = time.perf_counter()
            files[name] = (len(maker(built)), time.perf_counter() - started)

        print(f"appeals generated: {args.appeals:,} in {gen_seconds:.1f} s")
        print(f"facts rebuilt in {rebuild_seconds:.1f} s: {DailyUnitFact.objects.count():,} unit-fact rows, "
              f"{DailyAppealFact.objects.count():,} appeal-fact rows")  # fmt: skip
        print(f"KPI table, one month by unit ({args.repeat} runs): p50 {kpi['p50']:.1f} ms, p95 {kpi['p95']:.1f} ms "
              f"(target < 300 ms)")  # fmt: skip
        print(f"KPI table, one year by unit: p50 {kpi_year['p50']:.1f} ms, p95 {kpi_year['p95']:.1f} ms")
        print(f"monthly report data (2025-12): p50 {report['p50']:.0f} ms, max {report['max']:.0f} ms (target < 5 s)")
        print(f"  received {built.totals['received']:,}; summary: {built.summary[0]}")
        for name, (size, seconds) in files.items():
            print(f"  {name}: {size:,} bytes in {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
