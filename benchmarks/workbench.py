#!/usr/bin/env python
"""Work-bench benchmark: 1 million appeals (and their assignments spread over 60 units) generated in PostgreSQL with
INSERT … SELECT generate_series, then the timing of ``selectors.unit_queue`` for one unit — the first page and a
later page reached by the keyset cursor — and of the API list ``GET /api/v1/appeals`` for a department's key.

    .venv/bin/python benchmarks/workbench.py                  # 1,000,000 appeals, 200 timed calls each
    .venv/bin/python benchmarks/workbench.py --appeals 200000

Creates and drops its own database on 127.0.0.1 (BENCH_PG, default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from functools import partial

from _common import bench_database, django_setup, load_district
from _common import timed as _timed

UNITS = 60
PAGE = 50

APPEALS_SQL = """
INSERT INTO appeals_appeal (
    tracking_no, channel, appeal_type, urgency, state, title, content, category_id,
    citizen_name, citizen_phone, citizen_id_enc, citizen_id_index, is_anonymous, wants_reply,
    address, longitude, latitude, area_id, area_path, round, lead_unit_id, due_at, warning,
    routing_explanation, routing_suggestions, reply_text, rating, external_ref, created_by_id, created_at, updated_at,
    version, closed_at
)
SELECT
    'BW' || to_char(%(start)s::timestamptz + g * interval '30 seconds', 'YYYYMMDD') || '-' || lpad(g::text, 7, '0'),
    (ARRAY['hotline','city_12345','web','portal','grid'])[1 + g %% 5],
    'help', 'ordinary',
    CASE (g / %(n_units)s) %% 10 WHEN 0 THEN 'dispatched' WHEN 1 THEN 'in_progress' ELSE 'closed' END,
    '小区路灯不亮', '第' || g || '号诉求：小区路灯夜间不亮，居民出行不便，请尽快维修。',
    %(category)s,
    '王小明', '138' || lpad((g %% 100000000)::text, 8, '0'), '', '', false, true,
    '凤凰岭街道和平小区' || (g %% 40) || '号楼', NULL, NULL, %(area)s, %(area_path)s, 1,
    (%(units)s::bigint[])[1 + g %% %(n_units)s],
    %(start)s::timestamptz + g * interval '30 seconds' + interval '5 days',
    'none', '派单目录', '[]'::jsonb, '', '', '', NULL,
    %(start)s::timestamptz + g * interval '30 seconds', now(), 0,
    CASE WHEN (g / %(n_units)s) %% 10 >= 2
        THEN %(start)s::timestamptz + g * interval '30 seconds' + interval '3 days' END
FROM generate_series(1, %(count)s) AS g
"""

ASSIGNMENTS_SQL = """
INSERT INTO appeals_assignment (
    appeal_id, unit_id, role, round, state, dispatched_at, sign_due_at, contact_due_at, due_at, warn_at, warning,
    feedback, explanation, signed_at, done_at
)
SELECT a.id, a.lead_unit_id, 'lead', 1,
    CASE a.state WHEN 'dispatched' THEN 'pending' WHEN 'in_progress' THEN 'signed' ELSE 'done' END,
    a.created_at, a.created_at + interval '2 hours', a.created_at + interval '1 day', a.due_at,
    a.created_at + interval '3 days', 'none', '', '派单目录',
    CASE WHEN a.state <> 'dispatched' THEN a.created_at + interval '1 hour' END,
    CASE WHEN a.state = 'closed' THEN a.created_at + interval '2 days' END
FROM appeals_appeal a
UNION ALL
SELECT a.id, (%(units)s::bigint[])[1 + (a.id + 7) %% %(n_units)s], 'assisting', 1,
    CASE a.state WHEN 'dispatched' THEN 'pending' WHEN 'in_progress' THEN 'signed' ELSE 'done' END,
    a.created_at, a.created_at + interval '2 hours', a.created_at + interval '1 day', a.due_at,
    a.created_at + interval '3 days', 'none', '', '派单目录', NULL, NULL
FROM appeals_appeal a
WHERE a.id %% 5 = 0 AND (%(units)s::bigint[])[1 + (a.id + 7) %% %(n_units)s] <> a.lead_unit_id
"""


def generate(count: int, world: dict) -> tuple[list[int], float]:
    from django.db import connection

    from shanzhi.orgs.models import Unit, UnitKind

    district = world["centre"].parent
    units = list(world["departments"])
    for i in range(len(units), UNITS):
        units.append(Unit.objects.create(code=f"D-{i:03d}", name=f"部门{i}", kind=UnitKind.DEPARTMENT, parent=district))
    unit_ids = [u.pk for u in units]
    grid = world["grids"][0]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        params = {
            "start": dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
            "category": world["categories"][0].pk,
            "area": grid.pk,
            "area_path": grid.path,
            "units": unit_ids,
            "n_units": len(unit_ids),
            "count": count,
        }
        cursor.execute(APPEALS_SQL, params)
        cursor.execute(ASSIGNMENTS_SQL, params)
        cursor.execute("ANALYZE appeals_appeal")
        cursor.execute("ANALYZE appeals_assignment")
    return unit_ids, time.perf_counter() - started


# The queue's plans and caches settle over a few calls.
timed = partial(_timed, warm_up=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--later-page", type=int, default=20, help="which page the cursor walk reaches (default 20)")
    args = parser.parse_args()

    with bench_database(f"shanzhi_bench_workbench_{os.getpid()}") as database_url:
        django_setup(database_url)
        from django.contrib.auth.models import Group
        from django.db import connection
        from django.test import Client

        from shanzhi.appeals.models import Assignment
        from shanzhi.appeals.selectors import unit_queue
        from shanzhi.orgs.apikeys import apikey_create
        from shanzhi.orgs.models import Unit, User

        world = load_district()
        unit_ids, gen_seconds = generate(args.appeals, world)
        unit = Unit.objects.get(pk=unit_ids[len(unit_ids) // 2])
        handler = User.objects.create_user(username="bench-handler", password=None, unit=unit)
        handler.groups.add(Group.objects.get_or_create(name="handler")[0])
        handler = User.objects.select_related("unit").get(pk=handler.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM appeals_appeal")
            appeals = cursor.fetchone()[0]
        assignments = Assignment.objects.count()
        open_in_unit = Assignment.objects.filter(unit=unit, state__in=["pending", "signed"]).count()
        now = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)

        cursor_at_page = None
        page = unit_queue(user=handler, now=now, limit=PAGE)
        for _ in range(args.later_page - 1):
            page = unit_queue(user=handler, now=now, cursor=page.next_cursor, limit=PAGE)
            cursor_at_page = page.next_cursor
        assert cursor_at_page is not None, "the unit's queue is shorter than the later page"

        first = timed(lambda: list(unit_queue(user=handler, now=now, limit=PAGE).rows), args.repeat)
        later = timed(
            lambda: list(unit_queue(user=handler, now=now, cursor=cursor_at_page, limit=PAGE).rows), args.repeat
        )
        overdue = timed(lambda: list(unit_queue(user=handler, bucket="overdue", now=now, limit=PAGE).rows), args.repeat)

        qs = Assignment.objects.filter(unit_id=unit.pk, state__in=["pending", "signed"])
        plan = qs.select_related("appeal", "appeal__category", "unit").order_by("due_at", "id")[: PAGE + 1]
        explain = plan.explain(analyze=True)

        # The same queries with a partial index on the open assignments (a proposal for appeals.models).
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE INDEX bench_assignment_open_queue ON appeals_assignment (unit_id, due_at, id) "
                "WHERE state IN ('pending', 'signed')"
            )
            cursor.execute("ANALYZE appeals_assignment")
        first_ix = timed(lambda: list(unit_queue(user=handler, now=now, limit=PAGE).rows), args.repeat)
        later_ix = timed(
            lambda: list(unit_queue(user=handler, now=now, cursor=cursor_at_page, limit=PAGE).rows), args.repeat
        )
        explain_ix = plan.explain(analyze=True)

        _, key = apikey_create(user=handler, name="bench")
        client = Client()
        api_first = timed(
            lambda: client.get("/api/v1/appeals", {"limit": 20}, headers={"X-Api-Key": key}), max(20, args.repeat // 4)
        )
        next_cursor = client.get("/api/v1/appeals", {"limit": 20}, headers={"X-Api-Key": key}).json()["next"]
        api_next = timed(
            lambda: client.get("/api/v1/appeals", {"limit": 20, "cursor": next_cursor}, headers={"X-Api-Key": key}),
            max(20, args.repeat // 4),
        )

    print(f"\n== work-bench benchmark ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}) ==")
    print(
        f"generated {appeals:,} appeals and {assignments:,} assignments over {len(unit_ids)} units "
        f"in {gen_seconds:.1f} s; the timed unit has {open_in_unit:,} open assignments"
    )
    for label, result in (
        (f"unit_queue first page ({PAGE} rows)", first),
        (f"unit_queue page {args.later_page + 1} via cursor", later),
        ("unit_queue overdue bucket", overdue),
        ("  same, with the partial open-queue index", first_ix),
        ("  page via cursor, with the partial index", later_ix),
        ("GET /api/v1/appeals first page (department key)", api_first),
        ("GET /api/v1/appeals next page (cursor)", api_next),
    ):
        verdict = "OK" if result["p95"] < 50 else "ABOVE 50 ms"
        print(
            f"{label:48s} p50 {result['p50']:7.2f} ms   p95 {result['p95']:7.2f} ms   "
            f"max {result['max']:7.2f} ms   {verdict}"
        )
    print("\nEXPLAIN ANALYZE of the first page:\n" + explain)
    print("\nwith the partial index:\n" + explain_ix)


if __name__ == "__main__":
    main()
