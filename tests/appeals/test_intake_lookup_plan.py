"""The intake's idempotency lookup stays an index lookup on the keys themselves, whatever the planner's
statistics say. It once was not: the unique index led with the caller, and on a table without fresh statistics
PostgreSQL matched only the caller in the index and filtered every appeal that caller had ever sent (an
integration user sends most of a centre's appeals) on every request (ADR 0012)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shanzhi.appeals.intake_store import intake_existing

from .conftest import appeals_with_keys

pytestmark = pytest.mark.django_db


def test_the_lookup_of_retried_keys_is_an_index_search_on_the_key(desk):
    many = appeals_with_keys(desk)

    with CaptureQueriesContext(connection) as queries:
        found = intake_existing(desk.operator, [many[7].idempotency_key, "never-sent"])
    assert {key: a.pk for key, a in found.items()} == {many[7].idempotency_key: many[7].pk}

    lookup = queries.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {lookup}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # The keys are in the index condition, not in a filter applied to every row of the caller.
            assert re.search(r"Index Cond: .*idempotency_key", plan), plan
            assert not re.search(r"Filter: .*idempotency_key", plan), plan
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {lookup}")
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert re.search(r"USING (COVERING )?INDEX appeal_idempotency_unique \(idempotency_key=", plan), plan
