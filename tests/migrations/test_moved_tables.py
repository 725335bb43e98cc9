"""Tables that moved between apps (ADR 0015) keep every row: migrate back to the schema before the move, write rows
there, migrate forward, and read them through today's models."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shanzhi.core.models import ScheduledRun
from shanzhi.supervision.models import SupervisionOrder

BEFORE_THE_MOVE = [("sla", "0002_seed_calendar"), ("core", "0002_initial"), ("supervision", None)]
AT = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)


def _latest(executor: MigrationExecutor) -> list[tuple[str, str]]:
    executor.loader.build_graph()
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_supervision_orders_and_scheduler_slots_survive_the_move_to_their_new_apps():
    executor = MigrationExecutor(connection)
    latest = _latest(executor)
    try:
        executor.migrate(BEFORE_THE_MOVE)
        old = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps
        unit = old.get_model("orgs", "Unit").objects.create(
            code="D-TEST", name="测试局", kind="department", path="/D-TEST/", depth=0
        )
        appeal = old.get_model("appeals", "Appeal").objects.create(
            tracking_no="HB20261130-000001", channel="hotline", content="楼道灯不亮", created_at=AT, lead_unit=unit
        )
        assignment = old.get_model("appeals", "Assignment").objects.create(appeal=appeal, unit=unit, dispatched_at=AT)
        old.get_model("sla", "SupervisionOrder").objects.create(
            assignment=assignment, appeal=appeal, unit=unit, level="red", reason="超期未办结", issued_at=AT
        )
        old.get_model("sla", "ScheduledRun").objects.create(job="sla.sweep_deadlines", run_at=AT, enqueued_at=AT)
        ContentType.objects.clear_cache()
        old_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="sla", model="supervisionorder"
        )[0]

        executor = MigrationExecutor(connection)
        executor.migrate(latest)

        order = SupervisionOrder.objects.get()
        assert (order.appeal.tracking_no, order.unit.code, order.level, order.reason) == (
            "HB20261130-000001",
            "D-TEST",
            "red",
            "超期未办结",
        )
        assert order.assignment.unit_id == unit.pk
        assert ScheduledRun.objects.get().job == "sla.sweep_deadlines"
        ContentType.objects.clear_cache()
        moved = ContentType.objects.get(pk=old_type.pk)
        assert (moved.app_label, moved.model) == ("supervision", "supervisionorder")
        tables = set(connection.introspection.table_names())
        assert {"supervision_supervisionorder", "core_scheduledrun"} <= tables
        assert not {"sla_supervisionorder", "sla_scheduledrun"} & tables
    finally:
        MigrationExecutor(connection).migrate(latest)
