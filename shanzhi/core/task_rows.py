"""A task for the database queue as a row to insert together with the data it works on.

``task.enqueue(...)`` on django-tasks' database backend saves one ``DBTaskResult`` through the ORM: its own INSERT,
after the caller's. A hot write path (intake) that writes everything in one statement (``core.bulk_insert``)
takes the same row as an unsaved instance instead, inserts it with its other rows, and then calls
:func:`announce` (what ``enqueue`` does after saving). ``tests/core/test_task_rows.py`` compares the row with the one
``enqueue`` writes, field by field, so that an upgrade of django-tasks that changes it fails there (ADR 0013).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Expression
from django.tasks import Task, task_backends


def task_row(task: Task, *args: Any, **kwargs: Any) -> Any:
    """The unsaved ``DBTaskResult`` that ``task.enqueue(*args, **kwargs)`` would save (the database backend only)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult, get_date_max

    from shanzhi.core.model_instances import new_instance

    backend = task_backends[task.backend]
    if not isinstance(backend, DatabaseBackend):
        raise ValueError(f"task_row: {task.module_path} does not go to the database queue")
    backend.validate_task(task)
    task_id = backend._get_id()
    if isinstance(task_id, Expression):  # an id the database computes: only the ORM's own INSERT can write it
        raise ValueError(f"task_row: the queue's id_function gives a database expression ({task_id!r})")
    return new_instance(
        DBTaskResult,
        id=task_id,
        args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after if task.run_after is not None else get_date_max(),
        backend_name=backend.alias,
    )


def announce(row: Any) -> None:
    """What ``enqueue`` does once the row is saved: the ``task_enqueued`` signal (django-tasks logs it)."""
    from django_tasks_db.compat import task_enqueued

    task_enqueued.send(type(task_backends[row.backend_name]), task_result=row.task_result)
