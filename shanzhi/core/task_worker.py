"""The background task worker that survives what production does to it (``shanzhi worker``).

django-tasks-db's ``db_worker`` stops at the first database error that is not a lock, and a task it had claimed when
it was killed stays ``RUNNING`` for ever. This worker, built on the same claim/run primitives:

- **outlives the database**: when PostgreSQL restarts or fails over, the worker logs one line, drops its
  connections and reconnects with a back-off (0.5 s doubling to 5 s) instead of exiting; a task cut off by the
  database going away is put back in the queue, not marked failed (it never ran to its end);
- **shows that it lives**: each worker holds a liveness lock named by its worker id (:mod:`shanzhi.core.leader`: an
  advisory lock on a connection of its own on PostgreSQL, a ``flock`` on SQLite), which the kernel or the server
  releases the moment the process dies;
- **takes over what dead workers held**: every :data:`ORPHAN_SWEEP_SECONDS`, and once it has been connected for
  :data:`RECONNECT_GRACE_SECONDS` (time for live workers to take their locks back after a database restart), it
  looks at the ``RUNNING`` rows; those claimed by a worker whose lock it can take are orphans — the worker is gone —
  and go back to ``READY``. The apps' recovery hooks (:mod:`shanzhi.core.task_recovery`) run first with the dead
  workers' ids, so the outbox can release the messages they held mid-send.

Tasks are therefore run at least once; each of Shanzhi's tasks is written to be idempotent (the outbox's state
machine, upserts, claims), so running one again after a crash changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.db.utils import DatabaseError
from django.utils import timezone
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from shanzhi.core import task_recovery
from shanzhi.core.leader import LeaderLock

logger = logging.getLogger(__name__)

#: How often a worker looks for the tasks of dead workers.
ORPHAN_SWEEP_SECONDS = 5.0
#: After (re)connecting, how long a worker waits before judging others dead by their locks: a database restart
#: drops every worker's lock, and live workers take theirs back within their back-off (at most 5 s).
RECONNECT_GRACE_SECONDS = 10.0
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 5.0


class DatabaseGone(Exception):
    """The database went away under the worker (not an error of the task it was running)."""


def liveness_lock(worker_id: str) -> LeaderLock:
    return LeaderLock(f"task-worker-{worker_id}")


def is_database_gone(error: BaseException) -> bool:
    """A lost or refused connection (not a constraint, a lock or a bad query)."""
    if isinstance(error, InterfaceError):
        return True
    if isinstance(error, OperationalError):
        if is_locked_database_exception(error):
            return False
        try:
            return not connections["default"].is_usable()
        except Exception:
            return True
    return False


def orphans_requeue(*, me: str, now: dt.datetime, judge_others: bool = True) -> int:
    """Put back in the queue the ``RUNNING`` tasks of dead workers (and this worker's own, which it is not running
    when it calls this); return how many."""
    running = list(DBTaskResult.objects.running().values_list("id", "worker_ids"))
    if not running:
        return 0
    by_worker: dict[str, list[Any]] = {}
    for pk, worker_ids in running:
        by_worker.setdefault(worker_ids[-1] if worker_ids else "", []).append(pk)
    dead: set[str] = set()
    for worker_id in by_worker:
        if worker_id == me:
            dead.add(worker_id)
        elif judge_others and worker_id:
            lock = liveness_lock(worker_id)
            if lock.try_acquire():  # nobody holds it: its worker is gone, and its id is never used again
                lock.release()
                _lock_file_remove(worker_id)
                dead.add(worker_id)
    if not dead:
        return 0
    task_recovery.hooks_run(dead, now)
    ids = [pk for worker_id in dead for pk in by_worker[worker_id]]
    requeued = DBTaskResult.objects.running().filter(id__in=ids).update(status="READY", started_at=None)
    if requeued:
        logger.warning("task worker %s: %d task(s) of stopped workers back in the queue", me, requeued)
    return requeued


def _lock_file_remove(worker_id: str) -> None:
    if connections["default"].vendor != "postgresql":
        Path(settings.VAR_DIR, f"task-worker-{worker_id}.lock").unlink(missing_ok=True)


class ResilientWorker(Worker):
    """``db_worker``'s worker with reconnection, liveness and orphan recovery (see the module's docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.liveness = liveness_lock(self.worker_id)
        self.connected_at = 0.0
        self.swept_at = 0.0

    def run(self) -> None:
        task_recovery.current_worker_set(self.worker_id)
        delay = BACKOFF_FIRST
        logger.info("task worker %s starting (queues %s)", self.worker_id, ",".join(self.queue_names))
        try:
            while self.running:
                try:
                    self._connect()
                    delay = BACKOFF_FIRST
                    if self._loop():
                        return
                except (DatabaseGone, InterfaceError, OperationalError) as error:
                    if not self.running:
                        return
                    logger.warning(
                        "task worker %s: database unavailable (%s), again in %.1f s",
                        self.worker_id,
                        type(error.__cause__ or error).__name__,
                        delay,
                    )
                    self._disconnect()
                    time.sleep(delay)
                    delay = min(delay * 2, BACKOFF_MAX)
        finally:
            self._disconnect()
            _lock_file_remove(self.worker_id)

    def _connect(self) -> None:
        connections["default"].ensure_connection()
        if not self.liveness.try_acquire():
            raise DatabaseGone("liveness lock not taken")
        self.connected_at = time.monotonic()
        # What this worker held before the database went away is not running any more.
        orphans_requeue(me=self.worker_id, now=timezone.now(), judge_others=False)

    def _disconnect(self) -> None:
        self.liveness.release()
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except Exception:
                logger.debug("closing a broken connection failed")

    def _sweep_if_due(self) -> None:
        now = time.monotonic()
        if now - self.swept_at < ORPHAN_SWEEP_SECONDS:
            return
        self.swept_at = now
        if not self.liveness.still_held():
            raise DatabaseGone("liveness lock lost")
        if now - self.connected_at >= RECONNECT_GRACE_SECONDS:
            orphans_requeue(me=self.worker_id, now=timezone.now())

    def _loop(self) -> bool:
        """Claim and run tasks until stopped; True when the worker is done (batch / max tasks / stopped)."""
        while self.running:
            close_old_connections()
            self._sweep_if_due()
            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
            task_result = None
            retrieved = True
            with exclusive_transaction(tasks.db):
                try:
                    task_result = tasks.get_locked()
                    if task_result is not None:
                        task_result.claim(self.worker_id)
                except OperationalError as error:
                    if not is_locked_database_exception(error):
                        raise
                    retrieved = False
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                return True
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return True
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)
        return True

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one claimed task: successful, failed — or, when the database went away under it, back to the queue
        (raised as :class:`DatabaseGone`; the row is requeued on reconnection)."""
        self.running_task = True
        try:
            try:
                task = db_task_result.task
                task_result = db_task_result.task_result
                backend_type = task.get_backend()
                task_started.send(sender=backend_type, task_result=task_result)
                if task.takes_context:
                    value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except BaseException as error:
                if isinstance(error, DatabaseError) and is_database_gone(error):
                    raise DatabaseGone(str(db_task_result.id)) from error
                self._record_failed(db_task_result, error)
                return
            try:
                db_task_result.set_successful(value)
            except DatabaseError as error:
                if is_database_gone(error):
                    raise DatabaseGone(str(db_task_result.id)) from error
                self._record_failed(db_task_result, error)
                return
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _record_failed(self, db_task_result: DBTaskResult, error: BaseException) -> None:
        try:
            db_task_result.set_failed(error)
        except DatabaseError as db_error:
            if is_database_gone(db_error):
                raise DatabaseGone(str(db_task_result.id)) from db_error
            raise
        logger.warning("task %s failed (%s)", db_task_result.task_path, type(error).__name__)
        try:
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)
        except Exception:  # the task's path no longer imports: the row says so
            logger.warning("task id=%s failed and cannot be loaded", db_task_result.id)
