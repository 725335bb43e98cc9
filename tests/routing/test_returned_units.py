"""After an approved return (退回), the unit that returned the appeal is never suggested for it again: not by the
catalogue's plan (the dispatch form's proposal, dispatch by the catalogue), not by the stored suggestions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shanzhi.appeals import services, unit_work
from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.console import queues
from shanzhi.routing.rules import unit_may_lead, units_returned
from shanzhi.routing.services import dispatch_plan

pytestmark = pytest.mark.django_db


def test_rule_only_an_approved_return_excludes():
    requests = [(1, "return", "approved"), (2, "return", "pending"), (3, "return", "refused")]
    requests.append((4, "extend", "approved"))
    assert units_returned(requests) == frozenset({1})
    assert units_returned([]) == frozenset()
    assert unit_may_lead(None, {1}) and unit_may_lead(2, {1}) and not unit_may_lead(1, {1})


def test_plan_passes_over_an_excluded_lead(desk):
    d = desk.district
    plan = dispatch_plan(category=desk.road_light, area=d.grid_a)
    assert plan.lead_unit == d.dept_urban
    again = dispatch_plan(category=desk.road_light, area=d.grid_a, exclude_units={d.dept_urban.pk})
    assert again.lead_unit != d.dept_urban
    assert again.lead_unit == d.town_a  # no other line: the place's town leads
    assert "已退回的单位不再建议" in again.explanation_text
    # A territorial lead that returned it gives way to the next unit above.
    territorial = dispatch_plan(category=desk.property_service, area=d.grid_a, exclude_units={d.town_a.pk})
    assert territorial.lead_unit not in (None, d.town_a)


def returned_by_urban(desk, intake) -> Appeal:
    appeal = intake()
    assert appeal.lead_unit == desk.district.dept_urban
    lead = appeal.assignments.get(role="lead")
    req = unit_work.assignment_request(
        actor=desk.urban_handler, assignment=lead, kind="return", reason="不属于本单位职责", basis="该路段属开发区管理"
    )
    unit_work.request_decide(actor=desk.dispatcher, request=req, approve=True, note="同意退回")
    appeal.refresh_from_db()
    assert appeal.state == AppealState.ACCEPTED
    return appeal


def test_stored_suggestions_and_the_dispatch_form_skip_the_returning_unit(desk, intake, login):
    d = desk.district
    appeal = returned_by_urban(desk, intake)
    stored = {
        "category_id": desk.road_light.pk,
        "path": desk.road_light.path,
        "score": 0.7,
        "model": "v1",
        "lead_unit_id": d.dept_urban.pk,
        "lead_unit_name": d.dept_urban.name,
        "assisting": [],
        "rule": None,
        "explanation": "x",
    }
    Appeal.objects.filter(pk=appeal.pk).update(routing_suggestions=[stored])
    appeal.refresh_from_db()
    (suggestion,) = queues.suggestions_of(appeal)
    assert suggestion.lead_unit_id != d.dept_urban.pk and suggestion.lead_unit_id == d.town_a.pk
    page = login(desk.dispatcher).get(reverse("console:appeal", args=[appeal.pk]))
    assert page.status_code == 200
    form = next(a["form"] for a in page.context["actions"] if a["code"] == "dispatch")
    assert form.initial["lead_unit"] == str(d.town_a.pk)  # the proposal is not the unit that returned it
    assert page.context["suggestions"][0].lead_unit_id == d.town_a.pk


def test_a_refused_return_keeps_the_unit(desk, intake):
    d = desk.district
    appeal = intake()
    lead = appeal.assignments.get(role="lead")
    req = unit_work.assignment_request(
        actor=desk.urban_handler, assignment=lead, kind="return", reason="不属于本单位", basis="某条"
    )
    unit_work.request_decide(actor=desk.dispatcher, request=req, approve=False, note="属于")
    from shanzhi.console.routing_suggestions import returned_unit_ids

    assert returned_unit_ids(appeal) == frozenset()
    plan = dispatch_plan(category=desk.road_light, area=d.grid_a, exclude_units=returned_unit_ids(appeal))
    assert plan.lead_unit == d.dept_urban


def test_dispatch_by_the_catalogue_after_a_return_goes_elsewhere(desk, intake):
    appeal = returned_by_urban(desk, intake)
    services.appeal_dispatch(actor=desk.dispatcher, appeal=appeal)  # no lead given: the catalogue decides
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED
    assert appeal.lead_unit != desk.district.dept_urban
