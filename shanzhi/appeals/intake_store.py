"""Writing drafted appeals: idempotency keys, tracking numbers, ids, and every row of a new appeal at once.

A draft (:class:`IntakeDraft`) is an appeal validated and routed in memory by ``intake.intake_draft``: the appeal,
its first events, its first dispatch round. :func:`intake_write` writes a list of them all or nothing, except those
the caller already registered under the same idempotency key (a client's retry), which it returns instead.

On PostgreSQL that takes two statements and no BEGIN/COMMIT (ADR 0013):

1. one ``SELECT`` looks for the idempotency keys and, only if none is found, draws the tracking numbers (one
   sequence per day) and the ids of the appeals, assignments, events and outbox messages;
2. one ``INSERT`` (``core.bulk_insert``) writes the appeals, assignments, events, the citizens' acknowledgements
   and the delivery task — atomic by itself, so in autocommit it is its own transaction.

If a key is found, its appeal is returned and the others are written with a fresh reservation; nothing was drawn
for them. Elsewhere (SQLite) it is the same in steps: the keys, the tracking numbers, then one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, ProgrammingError, connection, transaction

from shanzhi.appeals.dispatching import RoundDraft
from shanzhi.appeals.models import Appeal, AppealEvent, Assignment
from shanzhi.core import clock
from shanzhi.core.bulk_insert import bulk_insert, execute_bound, pk_sequence
from shanzhi.core.task_rows import announce
from shanzhi.notifications.models import OutboxMessage
from shanzhi.notifications.services import delivery_task_row, new_appeal_messages, schedule_deliveries
from shanzhi.orgs.models import User


@dataclass
class IntakeDraft:
    """A validated, routed appeal not yet written: the appeal, its first events and its first dispatch round."""

    appeal: Appeal
    events: list[AppealEvent]
    round: RoundDraft | None = None

    def rows(self) -> tuple[list[Assignment], list[AppealEvent]]:
        return (self.round.assignments if self.round is not None else []), self.events

    def reset(self) -> None:
        """Forget the ids and number a failed write gave the draft, so that it can be written again."""
        self.appeal.pk = None
        self.appeal.tracking_no = ""
        self.appeal._state.adding = True
        assignments, events = self.rows()
        for assignment in assignments:
            _renew(assignment, self.appeal)
        for event in events:
            _renew(event, self.appeal)
            if event.assignment_id is not None and AppealEvent.assignment.is_cached(event):
                event.assignment = event.assignment  # one of the draft's assignments: its id is gone too


def _renew(row: Assignment | AppealEvent, appeal: Appeal) -> None:
    row.pk = None
    row._state.adding = True
    row.appeal = appeal  # the appeal's id is None again: bulk_insert takes the new one from the instance


# --- tracking numbers ---------------------------------------------------------------------------------------

_known_sequences: set[str] = set()


def next_tracking_no(at: dt.datetime) -> str:
    """``HB20261128-000123``: district prefix, the centre's local date, a daily sequence. Never reused (ADR 2)."""
    return next_tracking_nos(at, 1)[0]


def next_tracking_nos(at: dt.datetime, count: int) -> list[str]:
    """``count`` new tracking numbers of ``at``'s day, ascending, with one statement.

    PostgreSQL: one sequence per day (created on first use), so allocation takes no row lock and needs no commit.
    Elsewhere (SQLite): one atomic upsert of the day's counter row, advanced by ``count``.
    """
    if count < 1:
        return []
    day = clock.local_date(at)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            name = tracking_sequence(cursor, day)
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [name, count])
            values = sorted(row[0] for row in cursor.fetchall())
        else:
            cursor.execute(
                "INSERT INTO appeals_trackingcounter (day, value) VALUES (%s, %s) "
                "ON CONFLICT (day) DO UPDATE SET value = appeals_trackingcounter.value + %s RETURNING value",
                [day, count, count],
            )
            (last,) = cursor.fetchone()
            values = list(range(last - count + 1, last + 1))
    return [tracking_no_text(day, value) for value in values]


def tracking_no_text(day: dt.date, value: int) -> str:
    from django.conf import settings

    return f"{settings.SHANZHI['TRACKING_PREFIX']}{day:%Y%m%d}-{value:06d}"


def tracking_sequence(cursor: Any, day: dt.date) -> str:
    """The name of ``day``'s tracking-number sequence (PostgreSQL), created on first use."""
    name = f"appeals_tracking_{day:%Y%m%d}"
    # Inside an outer transaction the CREATE may still roll back, so it is only remembered in autocommit.
    if name not in _known_sequences:  # only remembered once created in autocommit, so surely committed
        try:
            with transaction.atomic():
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START 1')
        except (IntegrityError, ProgrammingError):
            pass  # created at the same moment by another process
        if not connection.in_atomic_block:
            _known_sequences.add(name)
    return name


# --- idempotency ----------------------------------------------------------------------------------------------


def intake_existing(actor: User | None, keys: Iterable[str]) -> dict[str, Appeal]:
    """The appeals ``actor`` already registered under any of ``keys``. A narrow query first (almost always
    empty: retries are rare), the whole appeals only for the keys found."""
    wanted = {k for k in keys if k}
    if not wanted:
        return {}
    found: dict[str, int] = {
        key: pk
        for key, pk in Appeal.objects.filter(idempotency_key__in=wanted, created_by=actor)
        .order_by()
        .values_list("idempotency_key", "pk")
        if key
    }
    return _appeals_by_key(found)


def _appeals_by_key(found: dict[str, int]) -> dict[str, Appeal]:
    if not found:
        return {}
    by_pk = Appeal.objects.in_bulk(list(found.values()))
    return {key: by_pk[pk] for key, pk in found.items() if pk in by_pk}


# --- writing ----------------------------------------------------------------------------------------------------


def intake_write(drafts: Sequence[IntakeDraft], *, actor: User | None) -> dict[str, Appeal]:
    """Write ``drafts`` all or nothing, except those ``actor`` already registered under the same idempotency key:
    returns key → the existing appeal for those (not written). The written drafts come back saved, with their
    tracking numbers. An IntegrityError (a concurrent delivery of the same key won the race) leaves no trace but
    spent tracking numbers and ids."""
    if not drafts:
        return {}
    if connection.vendor == "postgresql":
        return _write_postgresql(drafts, actor)
    existing = intake_existing(actor, [d.appeal.idempotency_key for d in drafts if d.appeal.idempotency_key])
    drafts = [d for d in drafts if d.appeal.idempotency_key not in existing]
    if drafts:
        by_day: dict[dt.date, list[Appeal]] = {}
        for draft in drafts:
            by_day.setdefault(clock.local_date(draft.appeal.created_at), []).append(draft.appeal)
        for appeals in by_day.values():
            for appeal, number in zip(appeals, next_tracking_nos(appeals[0].created_at, len(appeals)), strict=True):
                appeal.tracking_no = number
        messages = new_appeal_messages(appeals=[d.appeal for d in drafts], event="received")
        with transaction.atomic():
            _insert(drafts, messages, task=None)
            schedule_deliveries(messages)
    return existing


def _write_postgresql(drafts: Sequence[IntakeDraft], actor: User | None) -> dict[str, Appeal]:
    with connection.cursor() as cursor:
        found, numbers, ids = _reserve(cursor, drafts, actor)
    if found:
        existing = _appeals_by_key(found)
        rest = [d for d in drafts if d.appeal.idempotency_key not in existing]
        return {**existing, **(_write_postgresql(rest, actor) if rest else {})}
    appeal_ids, assignment_ids, event_ids, message_ids = ids
    for draft, number, pk in zip(drafts, numbers, appeal_ids, strict=True):
        draft.appeal.tracking_no = tracking_no_text(clock.local_date(draft.appeal.created_at), number)
        draft.appeal.pk = pk
    _number([row for d in drafts for row in d.rows()[0]], assignment_ids)
    _number([row for d in drafts for row in d.rows()[1]], event_ids)
    messages = new_appeal_messages(appeals=[d.appeal for d in drafts], event="received")
    _number(messages, message_ids[: len(messages)])  # as many ids as appeals were drawn; a message per appeal at most
    task = delivery_task_row(messages)
    # In autocommit the one statement is its own transaction (foreign keys are checked at its commit); inside the
    # caller's, a savepoint keeps a unique or check violation from breaking that transaction.
    with transaction.atomic() if connection.in_atomic_block else nullcontext():
        _insert(drafts, messages, task=task)
        if task is None:
            schedule_deliveries(messages)
    if task is not None:
        announce(task)
    return {}


def _number(rows: Sequence[Any], ids: Sequence[int]) -> None:
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk


def _insert(drafts: Sequence[IntakeDraft], messages: list[OutboxMessage], task: Any | None) -> None:
    bulk_insert(
        [d.appeal for d in drafts],
        [row for d in drafts for row in d.rows()[0]],
        [row for d in drafts for row in d.rows()[1]],
        messages,
        [task] if task is not None else [],
    )


_RESERVE_SQL = """
WITH found AS MATERIALIZED (
    SELECT idempotency_key, id FROM appeals_appeal
    WHERE idempotency_key = ANY(%s::varchar[]) AND created_by_id IS NOT DISTINCT FROM %s::bigint
)
SELECT (SELECT coalesce(json_object_agg(idempotency_key, id), '{}'::json) FROM found),
       ARRAY(SELECT nextval(day.name::regclass) FROM unnest(%s::text[]) WITH ORDINALITY AS day(name, n)
             WHERE NOT EXISTS (SELECT FROM found) ORDER BY day.n),
       """ + ",\n       ".join(
    ["ARRAY(SELECT nextval(%s::regclass) FROM generate_series(1, %s) WHERE NOT EXISTS (SELECT FROM found))"] * 4
)


def _reserve(
    cursor: Any, drafts: Sequence[IntakeDraft], actor: User | None
) -> tuple[dict[str, int], list[int], list[list[int]]]:
    """One statement: the keys ``actor`` already used, else tracking numbers (one per draft, from its day's
    sequence, in order) and ids for the appeals, assignments, events and messages (as many as appeals)."""
    keys = [d.appeal.idempotency_key for d in drafts if d.appeal.idempotency_key]
    days = [clock.local_date(d.appeal.created_at) for d in drafts]
    sequences = {day: tracking_sequence(cursor, day) for day in set(days)}
    counts = [
        (Appeal, len(drafts)),
        (Assignment, sum(len(d.rows()[0]) for d in drafts)),
        (AppealEvent, sum(len(d.rows()[1]) for d in drafts)),
        (OutboxMessage, len(drafts)),
    ]
    params: list[Any] = [keys, actor.pk if actor is not None else None, [sequences[day] for day in days]]
    for model, count in counts:
        params += [pk_sequence(model), count]
    (found, numbers, *ids), *_ = execute_bound(cursor, _RESERVE_SQL, params, prepare=False)
    return found, numbers, [sorted(values) for values in ids]
