"""Concurrent workers on a database with row locks (PostgreSQL): claims skip rows another worker holds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from shanzhi.notifications import delivery
from shanzhi.notifications.models import OutboxMessage, OutboxState

from .conftest import PHONE, T0

pytestmark = pytest.mark.skipif(
    not connection.features.has_select_for_update_skip_locked,
    reason="needs SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL); SQLite serialises writers instead",
)


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_skips_the_rows_the_first_one_holds(make_appeal, scripted):
    backend = scripted()
    appeal = make_appeal()
    ids = [
        OutboxMessage.objects.create(
            recipient=PHONE, event="received", appeal=appeal, body=f"消息{n}", next_attempt_at=T0, created_at=T0
        ).pk
        for n in range(4)
    ]
    held: list[int] = []
    claimed = threading.Event()
    release = threading.Event()
    failure: list[BaseException] = []

    def first_worker() -> None:
        try:
            with transaction.atomic():  # holds the row locks until the outer transaction ends
                batch, _ = delivery._claim(now=T0, limit=2)
                held.extend(m.pk for m in batch)
                claimed.set()
                release.wait(timeout=10)
        except BaseException as error:  # pragma: no cover - surfaced below
            failure.append(error)
            claimed.set()
        finally:
            from django.db import connection as thread_connection

            thread_connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    try:
        assert claimed.wait(timeout=10)
        assert not failure, failure
        counts = delivery.outbox_deliver(now=T0, limit=10)  # does not wait for the locked rows
    finally:
        release.set()
        worker.join(timeout=10)
    assert sorted(held) == ids[:2]
    assert counts.sent == 2
    assert sorted(pk for pk, _phone, _body in backend.sent) == ids[2:]
    states = dict(OutboxMessage.objects.values_list("pk", "state"))
    assert [states[pk] for pk in ids] == [OutboxState.SENDING] * 2 + [OutboxState.SENT] * 2
