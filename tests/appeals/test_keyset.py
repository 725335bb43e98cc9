"""core.keyset: pages follow (field, id) in either direction, ties included, and refuse cursors they did not make."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from shanzhi.appeals.models import Appeal
from shanzhi.core import clock
from shanzhi.core.bulk_insert import bulk_insert
from shanzhi.core.keyset import InvalidCursor, decode_cursor, keyset_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeals(desk) -> list[Appeal]:
    base = clock.now().replace(microsecond=0)
    rows = [
        Appeal(
            tracking_no=f"HB20261128-7{n:05d}",
            channel="api",
            state="accepted",
            content=f"诉求 {n}",
            created_at=base + dt.timedelta(seconds=n // 3),  # three rows share each second
        )
        for n in range(10)
    ]
    with transaction.atomic():
        bulk_insert(rows)
    return rows


@pytest.mark.parametrize("descending", [False, True])
def test_pages_visit_every_row_once_in_order(appeals, descending):
    seen: list[int] = []
    cursor = None
    while True:
        rows, cursor = keyset_page(
            Appeal.objects.all(), field="created_at", cursor=cursor, limit=4, descending=descending
        )
        seen += [a.pk for a in rows]
        if cursor is None:
            break
    expected = sorted(appeals, key=lambda a: (a.created_at, a.pk), reverse=descending)
    assert seen == [a.pk for a in expected]


@pytest.mark.parametrize("cursor", ["nonsense", "2026-11-28T10:00:00|x", "2026-11-28T10:00:00|5"])
def test_cursors_it_did_not_make_are_refused(cursor):
    with pytest.raises(InvalidCursor):  # the last one is naive: a cursor always carries its offset
        decode_cursor(cursor)


def test_paging_a_column_that_is_empty_on_a_row_is_refused(appeals):
    """Rows whose column is NULL sort at one end and cannot be compared with: a cursor cannot pass them."""
    with pytest.raises(ValueError, match="due_at"):
        keyset_page(Appeal.objects.all(), field="due_at", cursor=None, limit=4)
