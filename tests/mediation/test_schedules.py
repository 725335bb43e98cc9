"""调解员值班表: the availability rule (pure), the schedule the centre edits (service and console page), and the
assignment that only picks a mediator on duty today."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.mediation import rules, schedules, services
from shanzhi.mediation.models import DutyEntry, Mediator

MONDAY = dt.date(2026, 12, 7)


def on(kind: str, day: dt.date, *, status: str = "", weekdays=(0,), available: bool = True) -> bool:
    return rules.mediator_on_duty(kind=kind, is_available=available, duty_weekdays=weekdays, day=day, status=status)


def test_the_availability_rule():
    tuesday = MONDAY + dt.timedelta(days=1)
    assert on("resident", tuesday) and on("on_call", tuesday)  # without an entry: any day
    assert on("rotating", MONDAY) and not on("rotating", tuesday)  # on their duty weekdays only
    assert on("rotating", tuesday, status="duty") and on("rotating", tuesday, status="on_call")  # an extra day
    assert not on("resident", MONDAY, status="leave") and not on("rotating", MONDAY, status="leave")
    assert not on("resident", MONDAY, status="duty", available=False)  # switched off wins over the schedule
    assert schedules.week_of(MONDAY + dt.timedelta(days=6)) == [MONDAY + dt.timedelta(days=i) for i in range(7)]


def _plan(mediator: Mediator, *, kind: str | None = None, weekdays=(), days=None):
    return schedules.MediatorPlan(kind=kind or mediator.kind, duty_weekdays=tuple(weekdays), days=days or {})


@pytest.mark.django_db
def test_the_centre_edits_a_week_and_others_may_not(desk, med):
    m = med.mediator
    plans = {m.pk: _plan(m, kind="rotating", weekdays=[0, 2], days={MONDAY: "leave", MONDAY + dt.timedelta(1): "duty"})}
    with pytest.raises(PermissionDenied):
        schedules.schedule_set(actor=m.user, committee=med.committee, plans=plans)
    assert schedules.schedule_set(actor=desk.dispatcher, committee=med.committee, plans=plans) == 2
    m.refresh_from_db()
    assert (m.kind, m.duty_weekdays) == ("rotating", [0, 2])
    row = schedules.schedule_week(committee=med.committee, week_start=MONDAY)[0]
    assert [c.on_duty for c in row.cells] == [False, True, True, False, False, False, False]
    # clearing a day, and nothing half-written when a plan is wrong
    plans = {m.pk: _plan(m, weekdays=[0, 2], days={MONDAY: ""})}
    assert schedules.schedule_set(actor=desk.leader, committee=med.committee, plans=plans) == 1
    assert DutyEntry.objects.filter(mediator=m).count() == 1
    with pytest.raises(ValidationFailed):
        wrong = {m.pk: _plan(m, kind="rotating", weekdays=[], days={MONDAY: "leave"})}
        schedules.schedule_set(actor=desk.leader, committee=med.committee, plans=wrong)
    assert DutyEntry.objects.filter(mediator=m).count() == 1
    with pytest.raises(ValidationFailed):  # a mediator of another committee
        schedules.schedule_set(actor=desk.leader, committee=med.committee, plans={med.mediator_b.pk: _plan(m)})


@pytest.mark.django_db
def test_assignment_picks_only_who_is_on_duty_today(desk, med, case_of, make_user):
    today = clock.local_date()
    second = Mediator.objects.create(user=make_user(desk.district.centre, "mediator", username="med-2"),
                                     committee=med.committee, domains=["neighbours"])  # fmt: skip
    # med is the specialist with no workload, but on leave today: the other one is picked
    schedules.schedule_set(actor=desk.dispatcher, committee=med.committee,
                           plans={med.mediator.pk: _plan(med.mediator, days={today: "leave"})})  # fmt: skip
    case = services.case_assign(actor=desk.dispatcher, case=case_of(), committee=med.committee)
    assert case.mediator == second
    with pytest.raises(ValidationFailed):  # nor can the desk name them today
        services.case_assign(actor=desk.dispatcher, case=case_of(), committee=med.committee, mediator=med.mediator)
    # the other one on leave as well, med back on duty: med is picked
    swapped = {
        med.mediator.pk: _plan(med.mediator, days={today: "duty"}),
        second.pk: _plan(second, days={today: "leave"}),
    }
    schedules.schedule_set(actor=desk.dispatcher, committee=med.committee, plans=swapped)
    assert services.case_assign(actor=desk.dispatcher, case=case_of(), committee=med.committee).mediator == med.mediator


@pytest.mark.django_db
def test_the_schedule_page(desk, med, login):
    m = med.mediator
    week = MONDAY.isoformat()
    assert login(m.user).get("/console/mediation/schedule/").status_code == 403
    client = login(desk.dispatcher)
    page = client.get(f"/console/mediation/schedule/?committee={med.committee.pk}&week={week}").content.decode()
    assert f'name="day-{m.pk}-{week}"' in page and 'id="schedule-form"' in page
    assert 'id="schedule-link"' in client.get("/console/mediation/").content.decode()
    response = client.post("/console/mediation/schedule/", {
        "committee": med.committee.pk, "week": week, f"kind-{m.pk}": "rotating", f"weekday-{m.pk}": ["1", "3"],
        f"day-{m.pk}-{week}": "duty", f"kind-{med.mediator_b.pk}": "on_call"})  # fmt: skip
    assert response.status_code == 302
    m.refresh_from_db()
    med.mediator_b.refresh_from_db()
    assert (m.kind, m.duty_weekdays) == ("rotating", [1, 3]) and med.mediator_b.kind == "resident"  # not this one's
    assert DutyEntry.objects.get(mediator=m).day == MONDAY
    page = client.get(f"/console/mediation/schedule/?committee={med.committee.pk}&week={week}").content.decode()
    assert f'data-day="{week}" data-on-duty="1"' in page
