"""What an app does when a task worker is found dead (see :mod:`shanzhi.core.task_worker`).

A worker killed mid-task may hold more than its task row: the outbox messages it had marked ``sending``, for
instance, under a lease that would otherwise keep them for minutes. An app registers a hook in its ``ready()``; the
worker that finds the dead calls every hook with their ids before it requeues their tasks::

    task_recovery.register("notifications", outbox_release)   # outbox_release(dead_worker_ids, now)

And the claimer's id an app writes beside what it claims is :func:`current_worker_id` (empty outside a worker).
This module is light on purpose: web processes import it at start-up.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db.utils import DatabaseError

logger = logging.getLogger(__name__)

RecoveryHook = Callable[[set[str], dt.datetime], object]
_hooks: dict[str, RecoveryHook] = {}
_current_worker_id = ""


def register(name: str, hook: RecoveryHook) -> None:
    _hooks[name] = hook


def current_worker_id() -> str:
    return _current_worker_id


def current_worker_set(worker_id: str) -> None:
    global _current_worker_id
    _current_worker_id = worker_id


def hooks_run(dead: set[str], now: dt.datetime) -> None:
    """Run every hook; a database error stops (the caller reconnects), any other is logged and the rest go on."""
    for name, hook in _hooks.items():
        try:
            hook(dead, now)
        except DatabaseError:
            raise
        except Exception:
            logger.exception("task recovery hook %s failed", name)
