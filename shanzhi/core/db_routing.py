"""Reads of the read side from a streaming replica (``DATABASE_REPLICA_URL``), writes always on the primary.

Routing is by context, not by model: the reports read appeals, assignments and units — models of other apps — so
"which database" is decided by what the request does. :class:`ReplicaReadsMiddleware` sends the reads of GET/HEAD
requests under ``SHANZHI["REPLICA_PATHS"]`` (the reports and the dashboard by default) to the replica, and
:func:`reads_from_replica` does the same for a block of code (a task that builds a report). Sessions, users and
permissions are always read from the primary (a sign-in just made must count even if the replica lags), as is
everything inside a transaction on the primary.

Without ``DATABASE_REPLICA_URL`` nothing changes. A replica that lags shows figures a few seconds old — fine for
reports, never for the desk, which therefore never reads from it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "contenttypes", "admin", "orgs", "axes", "otp_totp", "otp_static"})

_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("shanzhi_read_alias", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def reads_from_replica() -> Iterator[None]:
    """Inside the block, reads (outside a primary transaction) go to the replica, if one is configured."""
    token = _read_alias.set(REPLICA if replica_configured() else None)
    try:
        yield
    finally:
        _read_alias.reset(token)


class ReadReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = _read_alias.get()
        if alias is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if connections["default"].in_atomic_block:
            return None  # read what this transaction wrote
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db != REPLICA


class ReplicaReadsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefixes = tuple(getattr(settings, "SHANZHI", {}).get("REPLICA_PATHS", ()))
        if replica_configured() and request.method in ("GET", "HEAD") and request.path.startswith(prefixes):
            with reads_from_replica():
                return self.get_response(request)
        return self.get_response(request)
