"""Two bookings of one slot at the same moment, in two threads with their own database connections: exactly one
succeeds. Runs on PostgreSQL (row locks and the partial unique constraint are what is tested); on SQLite the
database file allows one writer at a time, so the race this test is about cannot happen there."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shanzhi.core.errors import Conflict
from shanzhi.mediation import services
from shanzhi.mediation.models import Case, Session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has a single writer, no race")
def test_two_concurrent_bookings_of_one_slot_give_exactly_one_session(desk, med, case_of):
    user = med.mediator.user
    cases = [services.case_assign(actor=user, case=case_of(), committee=med.committee, mediator=med.mediator)
             for _ in range(2)]  # fmt: skip
    slot = med.slots[0]
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def book(case: Case) -> None:
        try:
            barrier.wait(timeout=10)
            services.session_book(actor=user, case=case, slot=slot)
            outcome = "ok"
        except Conflict as error:
            outcome = error.code
        except Exception as error:  # anything else is a failure of the test, reported below
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=book, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["ok", "slot_taken"]
    assert Session.objects.filter(slot=slot).count() == 1
    booked = Session.objects.get(slot=slot).case_id
    states = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "state"))
    assert states[booked] == "scheduled"
    assert [s for pk, s in states.items() if pk != booked] == ["assigned"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has a single writer, no race")
def test_a_citizens_appointment_and_a_session_racing_for_one_slot(desk, med, case_of):
    from shanzhi.mediation.appointments import appointment_book
    from shanzhi.mediation.models import Appointment

    user = med.mediator.user
    case = services.case_assign(actor=user, case=case_of(), committee=med.committee, mediator=med.mediator)
    slot = med.slots[1]
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def run(step) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            step()
            outcome = "ok"
        except Conflict as error:
            outcome = error.code
        except Exception as error:
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    steps = [
        lambda: services.session_book(actor=user, case=case, slot=slot),
        lambda: appointment_book(phone="13811112222", name="刘芳", slot=slot, domain="tenancy", description="押金"),
    ]
    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["ok", "slot_taken"]
    live = Session.objects.filter(slot=slot).count() + Appointment.objects.filter(slot=slot).count()
    assert live == 1
