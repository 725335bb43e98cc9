"""The demo data: made through the services on the demo's units and logins, idempotent."""

from __future__ import annotations

import pytest
from desk import unit_create

from shanzhi.core import clock
from shanzhi.mediation.demo import demo_load
from shanzhi.mediation.models import Case, CaseEvent, CaseState, Committee, Slot
from shanzhi.orgs.models import UnitKind

pytestmark = pytest.mark.django_db


def test_demo_load_makes_every_step_once(district, make_user):
    justice = unit_create("D-SF", "区司法局", UnitKind.DEPARTMENT, district.district)
    make_user(justice, "mediator", username="mediator")
    make_user(district.centre, "leader", username="leader")
    make_user(district.grid_a, "grid_worker", username="grid1")
    lines = demo_load(seed=7, now=clock.now(), scale="demo")
    assert "6 件纠纷案件" in lines[0] and "2 个群众预约" in lines[0]
    states = set(Case.objects.values_list("state", flat=True))
    assert {CaseState.REGISTERED, CaseState.ASSIGNED, CaseState.SCHEDULED, CaseState.AGREED, CaseState.CLOSED,
            CaseState.REFERRED} <= states  # fmt: skip
    closed = Case.objects.get(state=CaseState.CLOSED)
    assert CaseEvent.objects.filter(case=closed).count() == 7
    counts = (Committee.objects.count(), Slot.objects.count(), Case.objects.count(), CaseEvent.objects.count())
    assert "未新增" in demo_load(seed=7, now=clock.now(), scale="demo")[0]
    assert (Committee.objects.count(), Slot.objects.count(), Case.objects.count(), CaseEvent.objects.count()) == counts
