"""Rules and escalation: the 30-day term and its warnings, extension with both parties' consent, the reminder of
the judicial-confirmation window, joint consultation and leader-owned cases — each on the timeline."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.mediation import escalation, rules, services
from shanzhi.mediation.models import Case, EventKind
from shanzhi.mediation.sweep import mediation_sweep
from shanzhi.mediation.tasks import sweep_mediation

pytestmark = pytest.mark.django_db


def test_term_stages():
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    due = rules.case_due(start)
    assert rules.term_stage(created_at=start, due_at=due, now=start + dt.timedelta(days=22)) == "ok"
    assert rules.term_stage(created_at=start, due_at=due, now=start + dt.timedelta(days=23)) == "yellow"
    assert rules.term_stage(created_at=start, due_at=due, now=due) == "red"
    signed = dt.date(2026, 12, 1)
    assert not rules.confirmation_reminder_due(signed_on=signed, today=dt.date(2026, 12, 23))
    assert rules.confirmation_reminder_due(signed_on=signed, today=dt.date(2026, 12, 24))
    assert not rules.confirmation_reminder_due(signed_on=signed, today=dt.date(2027, 1, 1))


def test_sweep_warns_then_flags_overdue_once_each(desk, med, case_of):
    case = case_of()
    assert mediation_sweep(now=case.created_at + dt.timedelta(days=1)) == {"warned": 0, "overdue": 0, "supervised": 0,
                                                                           "confirmation_due": 0}  # fmt: skip
    assert mediation_sweep(now=case.created_at + dt.timedelta(days=25))["warned"] == 1
    assert mediation_sweep(now=case.created_at + dt.timedelta(days=26))["warned"] == 0  # once
    assert mediation_sweep(now=case.created_at + dt.timedelta(days=31))["overdue"] == 1
    assert mediation_sweep(now=case.created_at + dt.timedelta(days=32))["overdue"] == 0
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.WARNED) == 1 and kinds.count(EventKind.OVERDUE) == 1
    assert sweep_mediation.enqueue().return_value == {"warned": 0, "overdue": 0, "supervised": 0, "confirmation_due": 0}


def test_extension_needs_consent_and_is_bounded(desk, med, case_of):
    case = case_of()
    user = med.mediator.user
    with pytest.raises(ValidationFailed):
        escalation.case_extend(actor=user, case=case, days=10, consent=" ")
    extended = escalation.case_extend(actor=user, case=case, days=20, consent="双方当事人当面同意延期")
    assert extended.due_at == case.due_at + dt.timedelta(days=20) and extended.extended_days == 20
    with pytest.raises(ValidationFailed):
        escalation.case_extend(actor=user, case=extended, days=11, consent="同意")  # 31 days in all
    assert Case.objects.get(pk=case.pk).extended_days == 20
    assert case.events.filter(kind=EventKind.EXTENDED).count() == 1


def test_judicial_confirmation_reminder(desk, med, case_of):
    user = med.mediator.user
    case = services.case_assign(actor=user, case=case_of(), committee=med.committee)
    session = services.session_book(actor=user, case=case, slot=med.slots[0])
    services.session_record(actor=user, session=session, record="到场")
    agreement = services.agreement_make(actor=user, case=case, terms="赔偿", performance_method="转账",
                                        performance_due=clock.local_date() + dt.timedelta(days=3))  # fmt: skip
    later = clock.now() + dt.timedelta(days=25)
    assert mediation_sweep(now=later)["confirmation_due"] == 1
    assert mediation_sweep(now=later)["confirmation_due"] == 0
    event = case.events.get(kind=EventKind.CONFIRMATION_REMINDER)
    assert agreement.number in event.note


def test_joint_consultation_and_leader_owned_case(desk, med, case_of, login):
    case = case_of()
    user = med.mediator.user
    with pytest.raises(ValidationFailed):
        escalation.consultation_record(actor=user, case=case, departments=[desk.district.dept_urban], conclusion="x")
    escalation.consultation_record(actor=user, case=case, departments=[desk.district.dept_urban,
                                 desk.district.dept_housing], conclusion="住建局牵头维修，城管局配合")  # fmt: skip
    with pytest.raises(PermissionDenied):
        escalation.case_leader_own(actor=user, case=case, leader=desk.leader)
    response = login(desk.leader).post(f"/console/mediation/cases/{case.pk}/actions/leader_own/")
    assert response.status_code == 302 and Case.objects.get(pk=case.pk).leader == desk.leader
    kinds = list(case.events.values_list("kind", flat=True))
    assert EventKind.CONSULTATION in kinds and EventKind.LEADER_OWNED in kinds
    client = login(user)
    post = client.post(f"/console/mediation/cases/{case.pk}/actions/consult/", {
        "departments": [desk.district.dept_urban.pk, desk.district.dept_housing.pk], "conclusion": "再次会商",
    })  # fmt: skip
    assert post.status_code == 302 and case.consultations.count() == 2
    client.post(f"/console/mediation/cases/{case.pk}/actions/extend/", {"days": 10, "consent": "双方同意"})
    page = client.get(f"/console/mediation/cases/{case.pk}/").content.decode()
    assert "已延长 10 天" in page and 'data-kind="consultation"' in page and 'data-kind="leader_owned"' in page


def test_the_case_list_counts_and_filters_by_bucket(desk, med, case_of, login):
    late = case_of()
    case_of()
    mediation_sweep(now=late.created_at + dt.timedelta(days=31))  # both overdue
    fresh = case_of()
    client = login(med.mediator.user)
    page = client.get("/console/mediation/").content.decode()
    assert 'data-bucket="overdue"' in page and 'data-bucket="to_assign"' in page
    from shanzhi.mediation import selectors

    counts = {code: n for code, _label, n in selectors.case_buckets(selectors.cases_visible_to(med.mediator.user))}
    assert counts["to_assign"] == 3 and counts["overdue"] == 2 and counts["warned"] == 0
    overdue = client.get("/console/mediation/?bucket=overdue").content.decode()
    assert late.number in overdue and fresh.number not in overdue
    outsider = {code: n for code, _l, n in selectors.case_buckets(selectors.cases_visible_to(med.grid_worker_b))}
    assert set(outsider.values()) == {0}
