"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: the database answers and has every migration).

Both are for load balancers and systemd/monitoring on the internal network; they say nothing about the data. A
load balancer takes a node out of rotation while ``/readyz`` is not 200 (a database restart, a deployment that has
not migrated yet) and puts it back when it is.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_state(alias: str) -> str:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("readiness: database %s unreachable (%s)", alias, type(error).__name__)
        connection.close_if_unusable_or_obsolete()
        return "unreachable"
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return "migrations_pending"
    return "ok"


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_state(DEFAULT_DB_ALIAS)}
    if "replica" in connections.settings:
        checks["replica"] = _database_state("replica")
    ready = checks["database"] == "ok"
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
