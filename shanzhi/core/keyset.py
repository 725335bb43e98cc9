"""Keyset pagination on ``(<a datetime column>, id)``: fast at millions of rows, never OFFSET.

The cursor is ``<the last row's value, ISO 8601 with its offset>|<its id>``; the API wraps it in base64, the
console passes it as it is. Used by the unit's queue (by deadline), the centre's queues (oldest first) and the
API's appeal list (newest first).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model, Q, QuerySet


class InvalidCursor(ValueError):
    """A cursor this module did not make."""


def encode_cursor(moment: dt.datetime, pk: int) -> str:
    return f"{moment.isoformat()}|{pk}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        moment_text, id_text = cursor.split("|", 1)
        moment, pk = dt.datetime.fromisoformat(moment_text), int(id_text)
    except ValueError as error:
        raise InvalidCursor(cursor[:40]) from error
    if moment.tzinfo is None:
        raise InvalidCursor(cursor[:40])
    return moment, pk


def keyset_page[M: Model](
    qs: QuerySet[M], *, field: str, cursor: str | None, limit: int, descending: bool = False
) -> tuple[list[M], str | None]:
    """Up to ``limit`` rows after ``cursor`` in ``(field, id)`` order, and the cursor of the next page (None on the
    last). ``field`` must be set on every row paged. Raises :class:`InvalidCursor`."""
    if cursor:
        moment, last_id = decode_cursor(cursor)
        op = "lt" if descending else "gt"
        after: dict[str, Any] = {f"{field}__{op}": moment}
        qs = qs.filter(Q(**after) | Q(**{field: moment, f"id__{op}": last_id}))
    order = (f"-{field}", "-id") if descending else (field, "id")
    rows = list(qs.order_by(*order)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    moment = getattr(last, field)
    if moment is None:  # a NULL sorts last (or first) and cannot be compared with: the page would end there
        raise ValueError(f"keyset_page: {field} is empty on row {last.pk}; page a column set on every row")
    return rows, encode_cursor(moment, last.pk)
