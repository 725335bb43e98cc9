"""core.task_rows: the row written with the data is the row ``enqueue`` would have written (django-tasks' database
backend), so that the worker runs it the same way; an upgrade of django-tasks that changes the row fails here."""

from __future__ import annotations

import pytest
from django.tasks import task

from shanzhi.core.bulk_insert import bulk_insert
from shanzhi.core.task_rows import announce, task_row

pytestmark = pytest.mark.django_db


@task(priority=3, queue_name="default")
def add(a: int, b: int, *, label: str = "") -> str:
    return f"{label}{a + b}"


@pytest.fixture
def database_queue(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_row_is_what_enqueue_writes(database_queue):
    from django_tasks_db.models import DBTaskResult

    enqueued = DBTaskResult.objects.get(id=add.enqueue(2, 3, label="sum=").id)
    row = task_row(add, 2, 3, label="sum=")
    bulk_insert([row])
    written = DBTaskResult.objects.get(id=row.id)
    for field in DBTaskResult._meta.concrete_fields:
        if field.name not in ("id", "enqueued_at"):
            assert getattr(written, field.attname) == getattr(enqueued, field.attname), field.name
    assert written.enqueued_at is not None
    assert written.task_result.task.func is add.func

    from django_tasks_db.compat import task_enqueued

    heard: list[str] = []

    def receiver(sender, task_result, **kwargs):  # type: ignore[no-untyped-def]
        heard.append(task_result.id)

    task_enqueued.connect(receiver)
    try:
        announce(written)  # the signal django-tasks logs, as after enqueue
    finally:
        task_enqueued.disconnect(receiver)
    assert heard == [str(written.id)]


def test_a_worker_finds_the_row_and_can_run_it(database_queue):
    from django_tasks_db.models import DBTaskResult

    row = task_row(add, 20, 22, label="=")
    bulk_insert([row])
    ready = DBTaskResult.objects.ready().get(id=row.id)  # what the db_worker claims from
    result = ready.task_result
    assert result.task.call(*result.args, **result.kwargs) == "=42"


def test_only_for_the_database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(ValueError):
        task_row(add, 1, 2)
