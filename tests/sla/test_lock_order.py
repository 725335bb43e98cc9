"""One lock order everywhere (DESIGN §10.4): the appeal, then its assignments, by id. The deadline sweep and manual
supervision used to lock an assignment and then write an event, whose foreign key needs the appeal row, while a
lifecycle service held the appeal and wanted that assignment: a deadlock on PostgreSQL. Here a service holds the
appeal while the sweep (or a supervisor) runs, then takes the assignment; both must finish without an error."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from shanzhi.appeals import unit_work
from shanzhi.appeals.guards import lock_appeal
from shanzhi.appeals.models import Assignment
from shanzhi.core import clock
from shanzhi.supervision import services as orders
from shanzhi.supervision.models import SupervisionOrder
from shanzhi.supervision.sweep import deadlines_sweep

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 20.0  # seconds: only a ceiling for a stuck run, never part of an assertion


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's (SQLite serialises writers)")


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


def _overdue_appeal(desk, intake):  # type: ignore[no-untyped-def]
    appeal = intake()
    past = clock.now() - dt.timedelta(days=10)
    Assignment.objects.filter(appeal=appeal).update(sign_due_at=past, warn_at=past, due_at=past)
    return appeal, appeal.assignments.get(role="lead")


def _race(other: Callable[[], object], *, holder_signs: Assignment, signer) -> list[BaseException]:  # type: ignore[no-untyped-def]
    """A service holds the appeal; ``other`` runs in a second thread; once ``other`` is done or waits for a lock,
    the service takes the assignment (signs) and commits. Returns the errors of both threads."""
    errors: list[BaseException] = []
    held, other_done = threading.Event(), threading.Event()

    def service() -> None:
        try:
            with transaction.atomic():
                lock_appeal(holder_signs.appeal_id)
                held.set()
                for _ in range(int(WAIT * 20)):
                    if other_done.wait(0.05) or _someone_waits_for_a_lock():
                        break
                unit_work.assignment_sign(actor=signer, assignment=holder_signs)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            held.set()
            connection.close()

    def rival() -> None:
        try:
            held.wait(WAIT)
            other()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            other_done.set()
            connection.close()

    threads = [threading.Thread(target=service), threading.Thread(target=rival)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return errors


def test_the_sweep_beside_a_lifecycle_action_finishes_without_deadlock(desk, intake):
    _postgresql_only()
    _appeal, lead = _overdue_appeal(desk, intake)
    _other, other_lead = _overdue_appeal(desk, intake)  # an appeal nobody holds: the sweep handles it at once
    errors = _race(lambda: deadlines_sweep(), holder_signs=lead, signer=desk.urban_handler)
    assert errors == []
    lead.refresh_from_db()
    other_lead.refresh_from_db()
    assert lead.state == "signed"
    assert other_lead.warning == "red" and SupervisionOrder.objects.filter(assignment=other_lead).exists()
    deadlines_sweep()  # the appeal held during the first sweep is taken by the next one
    lead.refresh_from_db()
    assert lead.warning == "red" and SupervisionOrder.objects.filter(assignment=lead, trigger="overdue").exists()


def test_manual_supervision_beside_a_lifecycle_action_finishes_without_deadlock(desk, intake):
    _postgresql_only()
    _appeal, lead = _overdue_appeal(desk, intake)

    def supervise() -> None:
        orders.supervision_issue(actor=desk.dispatcher, assignment=lead, level="yellow", reason="请加快办理")

    errors = _race(supervise, holder_signs=lead, signer=desk.urban_handler)
    assert errors == []
    lead.refresh_from_db()
    assert lead.state == "signed"
    assert SupervisionOrder.objects.filter(assignment=lead, trigger="manual").count() == 1


def test_many_sweeps_beside_many_lifecycle_actions(desk, intake):
    """Load rather than choreography: sweeps in a loop while a handler signs and feeds back twelve appeals."""
    _postgresql_only()
    pairs = [_overdue_appeal(desk, intake) for _ in range(12)]
    errors: list[BaseException] = []
    stop = threading.Event()

    def sweeper() -> None:
        try:
            while not stop.is_set():
                deadlines_sweep()
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def handler() -> None:
        try:
            for _appeal, lead in pairs:
                unit_work.assignment_sign(actor=desk.urban_handler, assignment=lead)
                unit_work.assignment_feedback(actor=desk.urban_handler, assignment=lead, text="已修复", resolved=True)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            stop.set()
            connection.close()

    threads = [threading.Thread(target=sweeper), threading.Thread(target=sweeper), threading.Thread(target=handler)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    assert errors == []
    assert set(Assignment.objects.filter(pk__in=[lead.pk for _, lead in pairs]).values_list("state", flat=True)) == {
        "done"
    }
