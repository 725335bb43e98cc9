"""``shanzhi worker``: run background tasks from the database queue (django-tasks-db's ``db_worker``).

Takes the same options as ``db_worker`` (``--queue-name``, ``--batch``, ``--max-tasks``, ``--interval``, ...).
Several workers may run at once; on PostgreSQL they claim tasks with ``SKIP LOCKED``.
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "运行后台任务（数据库任务队列）；参数同 db_worker"
