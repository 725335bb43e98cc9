"""Writing drafted appeals (appeals.intake_store): keys, tracking numbers and ids in one statement, every row in one
more, no BEGIN/COMMIT in autocommit, and all or nothing (ADR 0013)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import IntegrityError, connection

from shanzhi.appeals import intake_store
from shanzhi.appeals.intake import intake_draft
from shanzhi.appeals.intake_batch import BatchItem, appeals_intake_batch
from shanzhi.appeals.intake_store import intake_write
from shanzhi.appeals.models import Appeal, AppealEvent, Assignment
from shanzhi.appeals.principals import CITIZEN
from shanzhi.appeals.services import appeal_intake
from shanzhi.core import clock
from shanzhi.core.errors import ValidationFailed
from shanzhi.notifications.models import OutboxMessage

from .conftest import appeal_fields, appeals_with_keys


def drafts(desk, *keys):  # type: ignore[no-untyped-def]
    at = clock.now()
    return [intake_draft(actor=desk.operator, at=at, idempotency_key=k, **appeal_fields(desk)) for k in keys]


def sequence_no(appeal: Appeal) -> int:
    return int(appeal.tracking_no.rsplit("-", 1)[1])


@pytest.mark.django_db
def test_a_retry_spends_no_tracking_number(desk):
    first = appeal_intake(actor=desk.operator, idempotency_key="k-1", **appeal_fields(desk))
    again = appeal_intake(actor=desk.operator, idempotency_key="k-1", **appeal_fields(desk))
    later = appeal_intake(actor=desk.operator, idempotency_key="k-2", **appeal_fields(desk))
    assert first.created and not again.created and again.appeal == first.appeal
    assert sequence_no(later.appeal) == sequence_no(first.appeal) + 1
    batch = appeals_intake_batch(
        actor=desk.operator, items=[BatchItem(appeal_fields(desk), "k-1"), BatchItem(appeal_fields(desk), "k-3")]
    )
    assert [o.status for o in batch] == ["existing", "created"]
    assert batch[0].appeal == first.appeal
    assert sequence_no(batch[1].appeal) == sequence_no(later.appeal) + 1  # type: ignore[union-attr]
    assert Appeal.objects.count() == 3


@pytest.mark.django_db
def test_the_key_wins_over_input_that_no_longer_passes(desk):
    """The key is checked as the draft is written, so a retry is drafted first; if its input fails now (a category
    retired since), the appeal its first delivery created is still the answer."""
    first = appeal_intake(actor=desk.operator, idempotency_key="k-1", **appeal_fields(desk)).appeal
    again = appeal_intake(actor=desk.operator, idempotency_key="k-1", **appeal_fields(desk, content=""))
    assert again.appeal == first and not again.created
    with pytest.raises(ValidationFailed):
        appeal_intake(actor=desk.operator, idempotency_key="k-new", **appeal_fields(desk, content=""))
    outcomes = appeals_intake_batch(
        actor=desk.operator,
        items=[
            BatchItem(appeal_fields(desk, content=""), "k-1"),
            BatchItem(appeal_fields(desk, content=""), "k-other"),
        ],
    )
    assert [o.status for o in outcomes] == ["existing", "rejected"]
    assert outcomes[0].appeal == first
    assert Appeal.objects.count() == 1


def blind_to_keys(monkeypatch):  # type: ignore[no-untyped-def]
    """Make the writer's key look-up see nothing, as if another request's write had not committed yet."""
    if connection.vendor == "postgresql":
        reserve = intake_store._reserve
        monkeypatch.setattr(intake_store, "_reserve", lambda cursor, drafts, actor: reserve(cursor, drafts, None))
    else:
        monkeypatch.setattr(intake_store, "intake_existing", lambda actor, keys: {})


@pytest.mark.django_db
def test_a_concurrent_delivery_of_the_same_key_returns_the_winners_appeal(desk, monkeypatch):
    """Another request writes the key between this one's look-up and its insert: the insert fails on the unique
    key and leaves nothing; the single intake answers with the winner's appeal, a batch goes item by item."""
    winner = appeal_intake(
        actor=desk.operator, idempotency_key="race", **appeal_fields(desk, content="抢先登记")
    ).appeal
    blind_to_keys(monkeypatch)
    result = appeal_intake(actor=desk.operator, idempotency_key="race", **appeal_fields(desk))
    assert result.appeal == winner and not result.created
    outcomes = appeals_intake_batch(
        actor=desk.operator, items=[BatchItem(appeal_fields(desk), "fresh"), BatchItem(appeal_fields(desk), "race")]
    )
    assert [o.status for o in outcomes] == ["created", "existing"]
    assert outcomes[1].appeal == winner
    assert Appeal.objects.count() == 2
    assert AppealEvent.objects.filter(appeal=winner).count() == 3
    fresh = outcomes[0].appeal  # written again alone after the failed lot: every row points at its new id
    assert fresh is not None and fresh.pk is not None
    assert list(fresh.events.values_list("kind", flat=True)) == ["received", "accepted", "dispatched"]
    assert fresh.assignments.count() == 2
    assert OutboxMessage.objects.filter(appeal=fresh).count() == 1
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_lot_is_two_statements_on_postgresql(desk, settings):
    """In autocommit (an API request): no BEGIN, no COMMIT, no savepoint; the look-up, then the write (the
    delivery task included)."""
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement write is PostgreSQL's")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    intake_write(drafts(desk, "warm"), actor=desk.operator)  # the day's sequence is created on first use
    statements: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        # BEGIN and COMMIT would not pass through here: no transaction may be open when a statement starts.
        assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        statements.append(sql.split()[0])
        return execute(sql, params, many, context)

    lot = drafts(desk, "a", "b", None)
    with connection.execute_wrapper(count):
        assert intake_write(lot, actor=desk.operator) == {}
    assert statements == ["WITH", "WITH"]  # the look-up and reservation; then every row
    assert all(d.appeal.pk and d.appeal.tracking_no for d in lot)
    assert Assignment.objects.filter(appeal__in=[d.appeal for d in lot]).count() == 6  # lead and assisting
    assert OutboxMessage.objects.filter(appeal__in=[d.appeal for d in lot]).count() == 3


@pytest.mark.django_db
def test_the_look_up_is_never_a_prepared_statement(desk):
    """A prepared statement keeps the generic plan made on its first runs: made while the table was small, a
    sequential scan, kept for ever as the table grows (no statistics change invalidates it where autovacuum is
    off). The look-up is planned on every call; the inserts, whose plan does not depend on a table's size, are
    prepared."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what earlier tests on this connection prepared does not count
    for n in range(8):
        intake_write(drafts(desk, f"p-{n}"), actor=desk.operator)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert not [s for s in prepared if "idempotency_key = ANY" in s]
    assert [s for s in prepared if s.startswith("WITH g0 AS (INSERT INTO")]


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_the_write_is_one_transaction_all_or_nothing(desk, settings):
    """No transaction around the write: the statement is its own. A lot that breaks a unique key (two drafts with
    the same key, which the batch service never sends) leaves no appeal, assignment, event, message or task."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the queue of a deployment
    assert connection.get_autocommit() and not connection.in_atomic_block
    with pytest.raises(IntegrityError):
        intake_write(drafts(desk, "twice", "twice"), actor=desk.operator)
    assert Appeal.objects.count() == 0
    assert Assignment.objects.count() == AppealEvent.objects.count() == OutboxMessage.objects.count() == 0
    assert DBTaskResult.objects.count() == 0

    written = drafts(desk, "once", None)
    assert intake_write(written, actor=desk.operator) == {}
    assert Appeal.objects.count() == 2 and OutboxMessage.objects.count() == 2
    task = DBTaskResult.objects.get()
    assert task.task_path == "shanzhi.notifications.tasks.deliver_messages"
    assert sorted(task.args_kwargs["args"][0]) == sorted(OutboxMessage.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_without_an_account_a_key_is_still_unique(desk):
    """Appeals from no account (a doorplate's form) have no creator; NULL would make every key distinct in the
    (key, creator) index, so a second index holds them: two racing submissions cannot both be written."""
    at = clock.now()
    twins = [intake_draft(actor=None, at=at, idempotency_key="door-1", **appeal_fields(desk)) for _ in range(2)]
    with pytest.raises(IntegrityError):
        intake_write(twins, actor=None)
    first = appeal_intake(actor=CITIZEN, idempotency_key="door-1", **appeal_fields(desk))
    again = appeal_intake(actor=CITIZEN, idempotency_key="door-1", **appeal_fields(desk))
    assert first.created and not again.created and again.appeal == first.appeal
    assert appeal_intake(actor=desk.operator, idempotency_key="door-1", **appeal_fields(desk)).created  # another caller
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_a_lot_across_midnight_takes_each_days_numbers(desk):
    """Tracking numbers come from the day of each appeal's registration (the centre's local date)."""
    midnight = dt.datetime.combine(clock.local_date(clock.now()), dt.time(), tzinfo=clock.centre_tz())
    late = intake_draft(
        actor=desk.operator, at=midnight - dt.timedelta(seconds=1), idempotency_key="late", **appeal_fields(desk)
    )
    early = intake_draft(actor=desk.operator, at=midnight, idempotency_key="early", **appeal_fields(desk))
    intake_write([late, early], actor=desk.operator)
    assert late.appeal.tracking_no.split("-")[0].endswith(f"{midnight - dt.timedelta(days=1):%Y%m%d}")
    assert early.appeal.tracking_no.split("-")[0].endswith(f"{midnight:%Y%m%d}")
    stored = dict(Appeal.objects.values_list("idempotency_key", "tracking_no"))
    assert stored == {"late": late.appeal.tracking_no, "early": early.appeal.tracking_no}


@pytest.mark.django_db(transaction=True)
def test_appeals_nobody_can_be_told_of_get_no_message_and_the_task_lists_the_others(desk, settings):
    """No phone, or a landline (no SMS): no message for those, ids for fewer messages than appeals, and the one
    delivery task lists exactly the messages written. Wanting no reply does not stop the acknowledgement."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    at = clock.now()
    lot = [
        intake_draft(actor=desk.operator, at=at, idempotency_key="a", **appeal_fields(desk)),
        intake_draft(actor=desk.operator, at=at, idempotency_key="b", **appeal_fields(desk, citizen_phone="")),
        intake_draft(actor=desk.operator, at=at, idempotency_key="c", wants_reply=False, **appeal_fields(desk)),
        intake_draft(
            actor=desk.operator, at=at, idempotency_key="d", **appeal_fields(desk, citizen_phone="04733991234")
        ),
    ]
    assert intake_write(lot, actor=desk.operator) == {}
    messages = OutboxMessage.objects.order_by("pk")
    assert [m.appeal_id for m in messages] == [lot[0].appeal.pk, lot[2].appeal.pk]
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"][0] == [m.pk for m in messages]


@pytest.mark.django_db
def test_the_look_up_searches_the_index_by_key(desk):
    """The reservation's look-up of keys, as PostgreSQL plans it on a table of thousands of one caller's appeals
    without fresh statistics: an index search on the keys, never a filter over the caller's appeals."""
    import re

    if connection.vendor != "postgresql":
        pytest.skip("the reservation is PostgreSQL's")
    many = appeals_with_keys(desk)
    lot = drafts(desk, many[7].idempotency_key, "never-sent")
    with connection.cursor() as cursor:
        found, _numbers, _ids = intake_store._reserve(cursor, lot, desk.operator)
        assert found == {many[7].idempotency_key: many[7].pk}
        captured: list[tuple[str, list]] = []

        def capture(execute, sql, params, many_, context):  # type: ignore[no-untyped-def]
            captured.append((sql, list(params or [])))
            return execute(sql, params, many_, context)

        with connection.execute_wrapper(capture):
            intake_store._reserve(cursor, lot, desk.operator)
        sql, params = captured[-1]
        from shanzhi.core.bulk_insert import execute_bound

        plan = "\n".join(row[0] for row in execute_bound(cursor, "EXPLAIN " + sql, params, prepare=False))
    assert re.search(r"Index Cond: .*idempotency_key", plan), plan
    assert not re.search(r"Seq Scan on appeals_appeal", plan), plan


@pytest.mark.django_db(transaction=True)
def test_a_task_row_that_cannot_be_built_never_fails_the_intake(desk, settings, monkeypatch):
    """If the queue is configured in a way only ``enqueue`` handles, the delivery is asked for the usual way."""
    from django_tasks_db.models import DBTaskResult

    from shanzhi.notifications import services

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("an id the database computes")

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(services, "task_row", refuse)
    lot = drafts(desk, "a", "b")
    assert intake_write(lot, actor=desk.operator) == {}
    assert Appeal.objects.count() == 2
    task = DBTaskResult.objects.get()
    assert sorted(task.args_kwargs["args"][0]) == sorted(OutboxMessage.objects.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_the_same_keys_make_one_appeal_each(desk):
    """Real races, not a simulated one: eight threads, each with its own connection, send the same lot of keys at
    once (single and batch intake). Every key ends up as exactly one appeal with its rows, nobody gets an error."""
    import threading

    from django.db import connections

    keys = [f"storm-{n}" for n in range(5)]
    start = threading.Barrier(8)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def deliver(thread: int) -> None:
        try:
            start.wait()
            if thread % 2:
                for key in keys:
                    result = appeal_intake(actor=desk.operator, idempotency_key=key, **appeal_fields(desk))
                    outcomes.append("created" if result.created else "existing")
            else:
                items = [BatchItem(appeal_fields(desk), key) for key in keys]
                outcomes.extend(o.status for o in appeals_intake_batch(actor=desk.operator, items=items))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(Appeal.objects.values_list("idempotency_key", flat=True)) == keys
    assert outcomes.count("created") == 5 and outcomes.count("existing") == 35
    assert AppealEvent.objects.count() == 15 and OutboxMessage.objects.count() == 5
