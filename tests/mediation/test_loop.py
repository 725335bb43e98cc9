"""The loop 排、分、调、处、评 through the services: each step, its refusals, and the timeline of every step."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.appeals.models import AppealEvent
from shanzhi.core import clock
from shanzhi.core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.mediation import rules, selectors, services
from shanzhi.mediation.models import Case, CaseState, EventKind, Mediator, Party, Session
from shanzhi.mediation.services import PartyIn

from .conftest import APPLICANT, RESPONDENT

pytestmark = pytest.mark.django_db


def _through_session(case, med):
    user = med.mediator.user
    case = services.case_assign(actor=user, case=case, committee=med.committee)
    session = services.session_book(actor=user, case=case, slot=med.slots[0])
    services.session_record(actor=user, session=session, record="双方到场陈述，同意由601室承担维修费用。")
    return Case.objects.get(pk=case.pk)


def test_the_whole_loop_writes_every_step_on_the_timeline(desk, med, screening, case_of):
    report = screening()
    assert report.alert is True  # high risk raises the alert
    case = case_of(report=report)
    assert case.number.startswith("TJ") and case.state == CaseState.REGISTERED
    assert case.risk_level == "high" and case.unit == desk.district.grid_a
    assert case.due_at == case.created_at + dt.timedelta(days=30)
    user = med.mediator.user

    case = services.case_assign(actor=desk.dispatcher, case=case, committee=med.committee)
    assert case.mediator == med.mediator and case.state == CaseState.ASSIGNED
    session = services.session_book(actor=user, case=case, slot=med.slots[0])
    services.session_record(actor=user, session=session, record="双方到场陈述。")
    due = clock.local_date() + dt.timedelta(days=15)
    agreement = services.agreement_make(
        actor=user, case=case, terms="601室于15日内赔偿501室维修费3000元。", performance_method="银行转账",
        performance_place="海勃湾区矛盾纠纷调解中心", performance_due=due,
    )  # fmt: skip
    assert agreement.number.startswith("海调协字〔")
    services.follow_up_record(actor=user, case=case, performance="full", note="已按约转账，双方无异议。")
    services.case_evaluate(actor=desk.leader, case=case, satisfaction="satisfied", review="调解及时，程序规范。")

    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closed_at is not None
    kinds = [e.kind for e in selectors.case_timeline(case=case)]
    assert kinds == [
        EventKind.REGISTERED, EventKind.ASSIGNED, EventKind.SESSION_BOOKED, EventKind.SESSION_HELD,
        EventKind.AGREEMENT, EventKind.FOLLOWED_UP, EventKind.EVALUATED,
    ]  # fmt: skip
    agreement_event = case.events.get(kind=EventKind.AGREEMENT)
    expected = rules.judicial_confirmation_deadline(agreement.signed_on).isoformat()
    assert agreement_event.payload["judicial_confirmation_by"] == expected


def test_parties_are_validated_stored_encrypted_and_masked(desk, med, case_of):
    case = case_of()
    applicant = case.parties.get(role="applicant")
    assert applicant.id_number_encrypted and "150302198001011237" not in applicant.id_number_encrypted
    assert applicant.id_number == "150302198001011237"
    assert applicant.name_masked == "李*国" and applicant.phone_masked == "139****5678"
    assert applicant.id_number_masked == "150302********1237"
    with pytest.raises(ValidationFailed) as bad_id:
        case_of(parties=[PartyIn("applicant", "李建国", id_number="150302198001011230"), RESPONDENT])
    assert "150302198001011230" not in str(bad_id.value.message)
    with pytest.raises(ValidationFailed):
        case_of(parties=[APPLICANT])  # no respondent
    with pytest.raises(ValidationFailed):
        case_of(parties=[PartyIn("applicant", "李建国", phone="12345"), RESPONDENT])
    assert Case.objects.count() == 1 and Party.objects.count() == 2  # nothing half-written


def test_assignment_picks_the_specialist_with_the_lightest_load(desk, med, case_of, make_user):
    second = Mediator.objects.create(
        user=make_user(desk.district.centre, "mediator", username="med2"), committee=med.committee,
        domains=["neighbours"],
    )  # fmt: skip
    first = services.case_assign(actor=desk.dispatcher, case=case_of(), committee=med.committee)
    assert first.mediator == med.mediator  # equal loads: the lower id
    again = services.case_assign(actor=desk.dispatcher, case=case_of(), committee=med.committee)
    assert again.mediator == second  # med now has one open case
    Mediator.objects.filter(committee=med.committee).update(is_available=False)
    with pytest.raises(ValidationFailed):
        services.case_assign(actor=desk.dispatcher, case=case_of(), committee=med.committee)
    with pytest.raises(ValidationFailed):  # a mediator of another committee
        services.case_assign(actor=desk.dispatcher, case=case_of(), committee=med.committee, mediator=med.mediator_b)


def test_a_booked_slot_refuses_a_second_booking_and_a_cancelled_one_is_free_again(desk, med, case_of):
    user = med.mediator.user
    one = services.case_assign(actor=user, case=case_of(), committee=med.committee)
    two = services.case_assign(actor=user, case=case_of(), committee=med.committee, mediator=med.mediator)
    session = services.session_book(actor=user, case=one, slot=med.slots[0])
    with pytest.raises(Conflict) as taken:
        services.session_book(actor=user, case=two, slot=med.slots[0])
    assert taken.value.code == "slot_taken"
    assert Session.objects.count() == 1
    services.session_cancel(actor=user, session=session, reason="申请人临时有事")
    assert Case.objects.get(pk=one.pk).state == CaseState.ASSIGNED
    assert services.session_book(actor=user, case=two, slot=med.slots[0]).case_id == two.pk
    other_room = med.other_committee.rooms.get()
    from shanzhi.mediation.models import Slot

    foreign = Slot.objects.create(room=other_room, starts_at=med.slots[1].starts_at, ends_at=med.slots[1].ends_at)
    with pytest.raises(ValidationFailed):
        services.session_book(actor=user, case=one, slot=foreign)


def test_agreement_needs_a_held_session_and_steps_keep_their_order(desk, med, case_of):
    user = med.mediator.user
    case = case_of()
    with pytest.raises(TransitionNotAllowed):
        services.session_book(actor=user, case=case, slot=med.slots[0])  # not assigned yet
    case = services.case_assign(actor=user, case=case, committee=med.committee)
    services.session_book(actor=user, case=case, slot=med.slots[0])
    due = clock.local_date() + dt.timedelta(days=3)
    with pytest.raises(TransitionNotAllowed) as no_session:
        services.agreement_make(actor=user, case=case, terms="赔偿", performance_method="现金", performance_due=due)
    assert no_session.value.code == "no_session_held"
    with pytest.raises(TransitionNotAllowed):
        services.case_evaluate(actor=desk.leader, case=case, satisfaction="satisfied", review="好")


def test_referral_when_mediation_fails(desk, med, case_of):
    case = _through_session(case_of(), med)
    with pytest.raises(ValidationFailed):
        services.case_refer(actor=med.mediator.user, case=case, route="court-of-heaven", reason="x")
    case = services.case_refer(actor=med.mediator.user, case=case, route="litigation", reason="赔偿金额差距过大")
    assert case.state == CaseState.REFERRED
    assert case.events.filter(kind=EventKind.REFERRED).get().note == "诉讼：赔偿金额差距过大"


def test_who_may_act(desk, med, screening, case_of):
    with pytest.raises(PermissionDenied):  # grid worker of grid A filing for grid B
        screening(unit=desk.district.grid_b)
    with pytest.raises(PermissionDenied):  # a handler of a department is no mediator
        case_of(actor=desk.urban_handler)
    case = case_of()
    with pytest.raises(PermissionDenied):  # the other town's mediator: outside their scope
        services.case_assign(actor=med.mediator_b.user, case=case, committee=med.other_committee)
    with pytest.raises(PermissionDenied):  # a grid worker does not evaluate
        services.case_evaluate(actor=desk.grid_worker_a, case=case, satisfaction="satisfied", review="好")


def test_an_appeal_handed_over_is_linked_both_ways(desk, med, intake):
    appeal = intake(content="楼上邻居装修噪音扰民，协商无果", category=desk.property_service)
    respondent = PartyIn("respondent", "赵六")
    case = services.case_from_appeal(actor=desk.dispatcher, appeal=appeal, domain="neighbours", respondent=respondent)
    assert case.source == "appeal" and case.appeal == appeal and list(appeal.mediation_cases.all()) == [case]
    assert case.parties.get(role="applicant").name == "张三"
    note = AppealEvent.objects.filter(appeal=appeal, kind="note").last()
    assert note is not None and note.payload["mediation_case"] == case.number
    with pytest.raises(Conflict):
        services.case_from_appeal(actor=desk.dispatcher, appeal=appeal, domain="neighbours", respondent=respondent)


def test_the_database_refuses_a_second_live_session_of_a_slot(desk, med, case_of):
    from django.db import IntegrityError, transaction

    user = med.mediator.user
    case = services.case_assign(actor=user, case=case_of(), committee=med.committee)
    services.session_book(actor=user, case=case, slot=med.slots[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(case=case, slot=med.slots[0], booked_by=user, booked_at=clock.now())


def test_a_rotating_mediator_is_picked_only_on_a_duty_day(desk, med, case_of):
    today = clock.local_date()
    med.mediator.kind, med.mediator.duty_weekdays = "rotating", [(today.weekday() + 1) % 7]
    med.mediator.save()
    assert not rules.mediator_on_duty(kind="rotating", is_available=True, duty_weekdays=[(today.weekday() + 1) % 7],
                                      day=today)  # fmt: skip
    with pytest.raises(ValidationFailed):  # the committee's only mediator is not on duty today
        services.case_assign(actor=desk.dispatcher, case=case_of(), committee=med.committee)
    med.mediator.duty_weekdays = [today.weekday()]
    med.mediator.save()
    case = services.case_assign(actor=desk.dispatcher, case=case_of(), committee=med.committee)
    assert case.mediator == med.mediator
