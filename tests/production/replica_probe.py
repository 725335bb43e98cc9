"""Run by test_replica.py in a process of its own whose DATABASE_URL is the test's primary and DATABASE_REPLICA_URL
its streaming replica (with replay paused by the test between the two appeals). Prints one JSON line of facts."""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanzhi.settings")
django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shanzhi.appeals.models import Appeal  # noqa: E402
from shanzhi.core import clock  # noqa: E402
from shanzhi.core.db_routing import reads_from_replica  # noqa: E402
from shanzhi.orgs.models import Unit, UnitKind, User  # noqa: E402


def prepare() -> None:
    centre = Unit.objects.create(code="150302-ZX", name="海勃湾区社会治理中心", kind=UnitKind.CENTRE)
    analyst = User.objects.create_user(username="ana", password="pass-1234-word", unit=centre)
    analyst.groups.add(Group.objects.get_or_create(name="analyst")[0])
    Appeal.objects.create(tracking_no="HB20261203-000001", channel="hotline", content="第一件", created_at=clock.now())


def probe() -> dict[str, object]:
    Appeal.objects.create(tracking_no="HB20261203-000002", channel="hotline", content="第二件", created_at=clock.now())
    facts: dict[str, object] = {"primary": Appeal.objects.count()}
    with reads_from_replica():
        facts["replica"] = Appeal.objects.count()
    client = Client()
    client.force_login(User.objects.get(username="ana"))
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get("/console/reports/")
    facts["reports_status"] = response.status_code
    facts["reports_queries_on_replica"] = len(on_replica.captured_queries)
    facts["reports_tables_read_on_replica"] = sorted(
        {t for q in on_replica.captured_queries for t in ("reports_", "appeals_", "orgs_unit") if t in q["sql"]}
    )
    with CaptureQueriesContext(connections["replica"]) as desk_reads:
        facts["workbench_status"] = client.get("/console/").status_code
    facts["workbench_queries_on_replica"] = len(desk_reads.captured_queries)
    return facts


if __name__ == "__main__":
    step = sys.argv[1]
    print(json.dumps(prepare() if step == "prepare" else probe()))
