"""督办 on cases, as on appeals: the sweep's automatic order when the 30-day term passes (once, also after an
extension), orders by hand from the centre, the desk's reply and the centre's close — on the case page, the list's
counter and the timeline; who may not."""

from __future__ import annotations

import datetime as dt

import pytest

from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed
from shanzhi.mediation import escalation, selectors, services, supervision
from shanzhi.mediation.models import CaseSupervision, EventKind
from shanzhi.mediation.sweep import mediation_sweep
from shanzhi.supervision.models import SupervisionOrder

pytestmark = pytest.mark.django_db


def test_an_overdue_case_is_supervised_once(desk, med, case_of, time_machine):
    case = services.case_assign(actor=med.mediator.user, case=case_of(), committee=med.committee)
    later = case.created_at + dt.timedelta(days=31)
    assert mediation_sweep(now=later)["supervised"] == 1
    order = CaseSupervision.objects.get(case=case)
    assert (order.level, order.trigger, order.state) == ("overdue", "overdue", "open")
    assert order.unit == med.committee.unit and order.issued_by is None and order.reply_due_at > later
    assert mediation_sweep(now=later + dt.timedelta(hours=1))["supervised"] == 0
    # extended with consent, then overdue again: a timeline event, no second automatic order
    time_machine.move_to(later + dt.timedelta(hours=2), tick=False)
    escalation.case_extend(actor=med.mediator.user, case=case, days=10, consent="双方同意延期")
    again = mediation_sweep(now=later + dt.timedelta(days=11))
    assert again["overdue"] == 1 and again["supervised"] == 0
    assert CaseSupervision.objects.filter(case=case).count() == 1
    assert list(case.events.filter(kind=EventKind.SUPERVISED).values_list("actor", flat=True)) == [None]
    assert not SupervisionOrder.objects.exists()  # the appeals' orders are untouched


def test_by_hand_reply_and_close(desk, med, case_of):
    case = services.case_assign(actor=med.mediator.user, case=case_of(), committee=med.committee)
    with pytest.raises(PermissionDenied):
        supervision.case_supervise(actor=med.mediator.user, case=case, level="yellow", reason="请加快")
    order = supervision.case_supervise(actor=desk.dispatcher, case=case, level="red", reason="当事人多次来电，请加快")
    with pytest.raises(PermissionDenied):  # the other town's mediator: not their case
        supervision.case_supervision_reply(actor=med.mediator_b.user, order=order, reply="已处理")
    order = supervision.case_supervision_reply(actor=med.mediator.user, order=order, reply="已约双方本周五调解")
    with pytest.raises(TransitionNotAllowed):
        supervision.case_supervision_reply(actor=med.mediator.user, order=order, reply="再次回复")
    with pytest.raises(PermissionDenied):
        supervision.case_supervision_close(actor=med.mediator.user, order=order)
    order = supervision.case_supervision_close(actor=desk.leader, order=order)
    assert order.state == "closed" and order.closed_by == desk.leader
    assert case.events.filter(kind=EventKind.SUPERVISED).count() == 3


def test_on_the_case_page_and_the_counter(desk, med, case_of, login):
    case = services.case_assign(actor=med.mediator.user, case=case_of(), committee=med.committee)
    other = case_of()
    centre = login(desk.dispatcher)
    page = centre.get(f"/console/mediation/cases/{case.pk}/").content.decode()
    assert 'data-action="supervise"' in page
    centre.post(f"/console/mediation/cases/{case.pk}/actions/supervise/", {"level": "yellow", "reason": "请加快进度"})
    order = CaseSupervision.objects.get(case=case)
    mediator = login(med.mediator.user)
    page = mediator.get(f"/console/mediation/cases/{case.pk}/").content.decode()
    assert 'data-action="supervise"' not in page and 'data-action="supervision_reply"' in page
    mediator.post(f"/console/mediation/cases/{case.pk}/actions/supervision_reply/",
                  {"order": order.pk, "reply": "已安排调解"})  # fmt: skip
    order.refresh_from_db()
    assert order.state == "replied" and order.reply == "已安排调解"
    # an order of another case is not found through this one
    centre.post(f"/console/mediation/cases/{other.pk}/actions/supervision_close/", {"order": order.pk})
    order.refresh_from_db()
    assert order.state == "replied"
    counts = {code: n for code, _l, n in selectors.case_buckets(selectors.cases_visible_to(desk.dispatcher))}
    assert counts["supervised"] == 1 and counts["to_assign"] == 1
    listed = centre.get("/console/mediation/?bucket=supervised").content.decode()
    assert case.number in listed and other.number not in listed
    outsider = {code: n for code, _l, n in selectors.case_buckets(selectors.cases_visible_to(med.grid_worker_b))}
    assert outsider["supervised"] == 0


def test_a_case_marked_overdue_before_orders_existed_gets_one(desk, med, case_of):
    case = case_of()
    later = case.created_at + dt.timedelta(days=31)
    mediation_sweep(now=later)
    CaseSupervision.objects.all().delete()  # as a sweep of the release before supervision left it
    assert mediation_sweep(now=later + dt.timedelta(minutes=5))["supervised"] == 1
    assert CaseSupervision.objects.get(case=case).unit == case.unit  # not assigned yet: the case's area
