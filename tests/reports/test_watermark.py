"""The incremental refresh never skips an event that commits after a higher id was read.

Event ids are reserved when a transaction inserts and become visible when it commits, in any order. The refresh
used to read only ids above the highest one seen; an event with a lower id that committed later was never read,
and the day it changed kept its old figures until the nightly rebuild. Now each refresh reads again from the id
that was the highest at least the lag window ago.

A3 (due 03-12, open, overdue; see conftest) is finished by a transaction that commits late: 03-12 must move from
"open overdue" to "done late" — a day that is neither today nor yesterday, so only the event can bring it back.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.db.models import Sum

from shanzhi.appeals.models import AppealEvent, Assignment
from shanzhi.reports import facts
from shanzhi.reports.models import DailyUnitFact, FactWatermark

from .conftest import NOW

DAY = dt.date(2026, 3, 12)
MINUTE = dt.timedelta(minutes=1)


def _overdue_open(unit_id: int) -> int:
    return DailyUnitFact.objects.filter(date=DAY, unit=unit_id).aggregate(n=Sum("close_overdue_open"))["n"] or 0


def _steady(built) -> None:  # type: ignore[no-untyped-def]
    """Two refreshes a lag window apart: the history's events are read and settled, as in a running centre."""
    facts.refresh_recent(now=NOW)
    facts.refresh_recent(now=NOW + 20 * MINUTE)
    mark = FactWatermark.objects.get(name="facts")
    assert mark.settled_event_id == mark.event_id == AppealEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]


def _finish_a3(built, *, event_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    s3 = built.assignments["s3"]
    finished = NOW + 10 * MINUTE
    Assignment.objects.filter(pk=s3.pk).update(state="done", done_at=finished, feedback_at=finished)
    AppealEvent.objects.bulk_create(
        [AppealEvent(id=event_id, appeal=s3.appeal, assignment=s3, kind="feedback", created_at=finished)]
    )


def test_an_event_with_a_lower_id_that_commits_late_is_read(built):
    _steady(built)
    a1 = built.appeals["a1"]
    reserved = AppealEvent.objects.create(appeal=a1, kind="note", created_at=NOW + 21 * MINUTE)
    AppealEvent.objects.create(appeal=a1, kind="note", created_at=NOW + 22 * MINUTE)  # commits first
    AppealEvent.objects.filter(pk=reserved.pk).delete()  # its id was reserved; its transaction is still open
    facts.refresh_recent(now=NOW + 25 * MINUTE)  # reads the higher id: the watermark moves past the reserved one
    assert FactWatermark.objects.get(name="facts").event_id > reserved.pk
    assert _overdue_open(built.unit_a.pk) == 1

    _finish_a3(built, event_id=reserved.pk)  # the late transaction commits, below the watermark
    facts.refresh_recent(now=NOW + 30 * MINUTE)
    assert _overdue_open(built.unit_a.pk) == 0
    done = DailyUnitFact.objects.filter(date=DAY, unit=built.unit_a.pk).aggregate(n=Sum("close_due"))["n"]
    assert done == 1  # still due that day, now finished (late)


def test_the_settled_id_catches_up_once_the_lag_window_has_passed(built):
    _steady(built)
    newest = AppealEvent.objects.create(appeal=built.appeals["a1"], kind="note", created_at=NOW + 21 * MINUTE)
    facts.refresh_recent(now=NOW + 25 * MINUTE)
    assert FactWatermark.objects.get(name="facts").settled_event_id < newest.pk  # still inside the window
    facts.refresh_recent(now=NOW + 40 * MINUTE)
    facts.refresh_recent(now=NOW + 60 * MINUTE)
    mark = FactWatermark.objects.get(name="facts")
    assert mark.settled_event_id == mark.event_id == newest.pk
    assert facts.refresh_recent(now=NOW + 61 * MINUTE)["appeals"] == 0  # nothing new since


@pytest.mark.django_db(transaction=True)
def test_two_connections_commit_out_of_order(history):
    """On PostgreSQL, for real: a transaction reserves an id, another commits a higher one, the refresh runs,
    then the first commits."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections (PostgreSQL)")
    facts.rebuild_history(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), now=NOW)
    _steady(history)
    reserved, go, errors = threading.Event(), threading.Event(), []

    def late_transaction() -> None:
        try:
            with transaction.atomic():
                _finish_a3(history)
                reserved.set()
                go.wait(30)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            reserved.set()
            connection.close()

    thread = threading.Thread(target=late_transaction)
    thread.start()
    assert reserved.wait(30)
    AppealEvent.objects.create(appeal=history.appeals["a1"], kind="note", created_at=NOW + 22 * MINUTE)
    facts.refresh_recent(now=NOW + 25 * MINUTE)
    assert _overdue_open(history.unit_a.pk) == 1  # the finishing transaction has not committed yet
    go.set()
    thread.join(30)
    assert errors == [] and not thread.is_alive()
    late = AppealEvent.objects.get(assignment=history.assignments["s3"], kind="feedback")
    assert late.pk < FactWatermark.objects.get(name="facts").event_id  # committed below the watermark
    facts.refresh_recent(now=NOW + 30 * MINUTE)
    assert _overdue_open(history.unit_a.pk) == 0
