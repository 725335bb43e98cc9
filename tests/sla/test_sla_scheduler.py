"""The periodic-job registry, the scheduler (enqueue once per slot, even with two schedulers) and the worker."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from sla_helpers import local

from shanzhi.core import periodic
from shanzhi.core.models import ScheduledRun

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SWEEP = "supervision.sweep_deadlines"


@pytest.fixture
def db_queue(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = DB_TASKS


@pytest.fixture
def only_sweep(settings):  # type: ignore[no-untyped-def]
    """Switch off jobs other modules registered, so counts below are about the SLA sweep only."""
    settings.SHANZHI_PERIODIC = [{"name": job.name, "enabled": False} for job in periodic.jobs() if job.name != SWEEP]


def test_the_sla_sweep_is_registered_every_minute() -> None:
    job = {j.name: j for j in periodic.jobs()}[SWEEP]
    assert (job.cron, job.task) == ("* * * * *", "shanzhi.supervision.tasks.sweep_deadlines")


def test_latest_slot_is_computed_in_the_centre_time_zone() -> None:
    weekly = periodic.PeriodicJob(name="weekly", cron="0 8 * * 1", task="x.y")
    assert weekly.latest_slot(local(2025, 11, 26, 9, 0)) == local(2025, 11, 24, 8, 0)
    assert weekly.latest_slot(local(2025, 11, 24, 8, 0)) == local(2025, 11, 24, 8, 0)
    minute = periodic.PeriodicJob(name="m", cron="* * * * *", task="x.y")
    assert minute.latest_slot(local(2025, 11, 26, 9, 0, 59)) == local(2025, 11, 26, 9, 0)
    with pytest.raises(ValueError):
        periodic.PeriodicJob(name="bad", cron="every minute", task="x.y")


def test_two_schedulers_enqueue_a_slot_once(db_queue, only_sweep) -> None:
    now = local(2025, 11, 24, 10, 0, 20)
    first = periodic.enqueue_due(now=now)
    second = periodic.enqueue_due(now=now + dt.timedelta(seconds=15))  # the other scheduler, same minute
    assert first == [(SWEEP, local(2025, 11, 24, 10, 0))]
    assert second == []
    assert DBTaskResult.objects.filter(task_path="shanzhi.supervision.tasks.sweep_deadlines").count() == 1
    run = ScheduledRun.objects.get()
    assert run.task_result_id == str(DBTaskResult.objects.get().id)
    # The next minute is a new slot.
    assert periodic.enqueue_due(now=now + dt.timedelta(minutes=1)) == [(SWEEP, local(2025, 11, 24, 10, 1))]
    assert DBTaskResult.objects.count() == 2


def test_a_slot_claimed_elsewhere_is_not_enqueued(db_queue, only_sweep) -> None:
    slot = local(2025, 11, 24, 10, 0)
    ScheduledRun.objects.create(job=SWEEP, run_at=slot, enqueued_at=slot)
    assert periodic.enqueue_due(now=slot + dt.timedelta(seconds=5)) == []
    assert not DBTaskResult.objects.exists()


def test_settings_add_override_and_disable_jobs(db_queue, settings) -> None:
    settings.SHANZHI_PERIODIC = [
        {"name": SWEEP, "cron": "*/5 * * * *"},
        {"name": "broken", "cron": "* * * * *", "task": "shanzhi.nowhere.tasks.missing"},
        {
            "name": "weekly",
            "cron": "0 8 * * 1",
            "task": "shanzhi.supervision.tasks.sweep_deadlines",
            "grace_seconds": 3600,
        },
    ] + [{"name": job.name, "enabled": False} for job in periodic.jobs() if job.name not in {SWEEP}]
    assert {j.name: j.cron for j in periodic.jobs()}[SWEEP] == "*/5 * * * *"
    # 10:03: the sweep's slot was 10:00 (within grace); the weekly slot (Mon 08:00) is 2 h old, past its grace;
    # the broken job is logged and skipped without stopping the others.
    enqueued = periodic.enqueue_due(now=local(2025, 11, 24, 10, 3))
    assert enqueued == [(SWEEP, local(2025, 11, 24, 10, 0))]
    assert set(periodic.enqueue_due(now=local(2025, 11, 24, 8, 32))) == {
        ("weekly", local(2025, 11, 24, 8, 0)),
        (SWEEP, local(2025, 11, 24, 8, 30)),
    }


def test_register_replaces_by_name() -> None:
    try:
        periodic.register("test.job", "0 * * * *", "shanzhi.supervision.tasks.sweep_deadlines")
        periodic.register("test.job", "30 * * * *", "shanzhi.supervision.tasks.sweep_deadlines", grace_seconds=60)
        job = {j.name: j for j in periodic.jobs()}["test.job"]
        assert (job.cron, job.grace) == ("30 * * * *", dt.timedelta(seconds=60))
    finally:
        periodic.unregister("test.job")
    assert "test.job" not in {j.name for j in periodic.jobs()}


def test_prune_forgets_old_slots() -> None:
    now = local(2025, 11, 24, 10, 0)
    ScheduledRun.objects.create(job=SWEEP, run_at=now - dt.timedelta(days=8), enqueued_at=now)
    ScheduledRun.objects.create(job=SWEEP, run_at=now - dt.timedelta(days=1), enqueued_at=now)
    assert periodic.prune(now=now) == 1
    assert ScheduledRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_scheduler_once_enqueues_and_the_worker_runs_it(db_queue, only_sweep) -> None:
    out = StringIO()
    with time_machine.travel(local(2025, 11, 24, 10, 0, 30), tick=False):
        call_command("scheduler", "--once", stdout=out)
        call_command("scheduler", "--once", stdout=out)
    assert out.getvalue().count("enqueued supervision.sweep_deadlines") == 1
    task = DBTaskResult.objects.get()
    assert task.status == "READY"
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0")
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.return_value == {"appeals": 0}


@pytest.mark.django_db(transaction=True)
def test_two_scheduler_threads_racing_for_one_slot(settings) -> None:
    """Two schedulers in two threads, each with its own connection, claim the same slot at the same moment.

    PostgreSQL only: the SQLite test database is in memory with a shared cache, where a second writer fails with
    "table is locked" instead of waiting (a real SQLite file in WAL mode serialises the writers).
    """
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (run with DATABASE_URL=postgres://...)")
    settings.TASKS = DB_TASKS
    settings.SHANZHI_PERIODIC = [{"name": job.name, "enabled": False} for job in periodic.jobs() if job.name != SWEEP]
    now = local(2025, 11, 24, 10, 0, 10)
    barrier = threading.Barrier(2)
    results: list[list[tuple[str, dt.datetime]]] = []

    def scheduler() -> None:
        try:
            barrier.wait()
            results.append(periodic.enqueue_due(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(r) for r in results) == [0, 1]
    assert DBTaskResult.objects.count() == 1
    assert ScheduledRun.objects.count() == 1


def test_admin_pages_load(admin_client) -> None:
    for path in (
        "sla/workingday",
        "sla/workingperiod",
        "sla/slapolicy",
        "supervision/supervisionorder",
        "core/scheduledrun",
    ):
        response = admin_client.get(f"/admin/{path}/")
        assert response.status_code == 200, path
