"""``shanzhi worker``: run background tasks from the database queue.

Takes the same options as django-tasks-db's ``db_worker`` (``--queue-name``, ``--batch``, ``--max-tasks``,
``--interval``, ...), and runs them with :class:`shanzhi.core.task_worker.ResilientWorker`: it reconnects when the
database restarts, and it puts back in the queue what a killed worker had claimed. Several workers may run at once;
on PostgreSQL they claim tasks with ``SKIP LOCKED``.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from shanzhi.core.task_worker import ResilientWorker


class Command(db_worker.Command):
    help = "运行后台任务（数据库任务队列）；参数同 db_worker；数据库重启后自动重连"

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloader's child handles signals
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
