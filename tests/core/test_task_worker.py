"""core.task_worker: what a dead worker had claimed goes back to the queue (and the outbox messages it held are due
again), what a live worker holds stays with it, and a task cut off by the database is requeued, not failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shanzhi.core import task_recovery
from shanzhi.core.task_worker import DatabaseGone, ResilientWorker, liveness_lock, orphans_requeue
from shanzhi.notifications.delivery import outbox_release_dead_claims
from shanzhi.notifications.models import OutboxMessage, OutboxState

pytestmark = pytest.mark.django_db(transaction=True)


@task()
def echo(value: str) -> str:
    return value


@task()
def database_goes_away() -> None:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture(autouse=True)
def database_queue(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _claimed(by: str, value: str = "x") -> DBTaskResult:
    row = DBTaskResult.objects.get(id=echo.enqueue(value).id)
    row.claim(by)
    return row


def _worker(worker_id: str) -> ResilientWorker:
    return ResilientWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
    )  # fmt: skip


def test_a_dead_workers_tasks_go_back_to_the_queue_a_live_workers_stay():
    alive = liveness_lock("alive-worker")
    assert alive.try_acquire()
    try:
        dead_row, live_row = _claimed("dead-worker"), _claimed("alive-worker")
        assert orphans_requeue(me="me", now=timezone.now()) == 1
        dead_row.refresh_from_db()
        live_row.refresh_from_db()
        assert (dead_row.status, dead_row.started_at) == ("READY", None)
        assert live_row.status == "RUNNING"
        # Only one's own when others are not judged (just after a reconnection, while live workers retake locks).
        own = _claimed("me")
        assert orphans_requeue(me="me", now=timezone.now(), judge_others=False) == 1
        own.refresh_from_db()
        assert own.status == "READY" and live_row.status == "RUNNING"
    finally:
        alive.release()


def test_a_dead_workers_outbox_messages_are_due_again_before_its_tasks_rerun():
    now = timezone.now()
    lease_end = now + dt.timedelta(minutes=10)
    held = OutboxMessage.objects.create(
        recipient="13800000000", event="received", body="b", state=OutboxState.SENDING, attempts=1,
        next_attempt_at=lease_end, claimed_by="dead-worker", created_at=now,
    )  # fmt: skip
    other = OutboxMessage.objects.create(
        recipient="13800000001", event="received", body="b", state=OutboxState.SENDING, attempts=1,
        next_attempt_at=lease_end, claimed_by="alive-worker", created_at=now,
    )  # fmt: skip
    _claimed("dead-worker")
    task_recovery.register("notifications", outbox_release_dead_claims)  # as NotificationsConfig.ready does
    assert orphans_requeue(me="me", now=now) == 1
    held.refresh_from_db()
    other.refresh_from_db()
    assert held.next_attempt_at == now and other.next_attempt_at == lease_end


def test_a_worker_runs_what_is_queued_and_requeues_its_own_after_reconnecting():
    row = DBTaskResult.objects.get(id=echo.enqueue("hello").id)
    _worker("w1").run()
    row.refresh_from_db()
    assert (row.status, row.return_value) == ("SUCCESSFUL", "hello")


def test_a_task_cut_off_by_the_database_is_not_marked_failed(monkeypatch):
    worker = _worker("w2")
    row = DBTaskResult.objects.get(id=database_goes_away.enqueue().id)
    row.claim("w2")
    monkeypatch.setattr("shanzhi.core.task_worker.is_database_gone", lambda error: True)
    with pytest.raises(DatabaseGone):
        worker.run_task(row)
    row.refresh_from_db()
    assert row.status == "RUNNING"  # not FAILED: it goes back to the queue when the worker reconnects
    monkeypatch.undo()
    assert orphans_requeue(me="w2", now=timezone.now(), judge_others=False) == 1


def test_a_task_that_fails_on_its_own_is_failed():
    worker = _worker("w3")
    row = DBTaskResult.objects.get(id=database_goes_away.enqueue().id)
    row.claim("w3")
    worker.run_task(row)  # the database is fine: the OperationalError is the task's own
    row.refresh_from_db()
    assert row.status == "FAILED"
