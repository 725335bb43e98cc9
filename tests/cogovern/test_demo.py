"""The demo data: every list filled for each community with staff, consistent states, and a second run adds nothing."""

from __future__ import annotations

import pytest

from shanzhi.cogovern import demo, selectors
from shanzhi.cogovern.models import CheckIn, Demand, Project, Volunteer

from .conftest import NOW

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_consistent(desk, make_user):
    make_user(desk.district.community_a, "handler", username="liaison-a")
    make_user(desk.district.community_b, "handler", username="liaison-b")
    (line,) = demo.demo_load(seed=7, now=NOW, scale="demo")
    assert line.startswith("co-governance: 2 communities, 8 demands, 4 projects")
    assert line.endswith("6 legal-publicity items")
    counts = (Demand.objects.count(), Project.objects.count(), Volunteer.objects.count(), CheckIn.objects.count())
    assert demo.demo_load(seed=7, now=NOW, scale="demo") == [
        "co-governance: 0 communities, 0 demands, 0 projects, 0 volunteers, 0 check-ins, 0 legal-publicity items"
    ]
    assert (
        Demand.objects.count(),
        Project.objects.count(),
        Volunteer.objects.count(),
        CheckIn.objects.count(),
    ) == counts
    for project in Project.objects.select_related("demand"):
        assert (project.state, project.demand.state) in {("running", "in_project"), ("finished", "done")}
    assert {s.grade for s in selectors.centre_overview(desk.dispatcher)} - {"达标", "基本达标", "未达标"} == set()


def test_the_demands_gauge_reads_the_states(client, desk, make_user):
    make_user(desk.district.community_a, "handler", username="liaison-a")
    demo.demo_load(seed=7, now=NOW, scale="demo")
    text = client.get("/metrics").content.decode()
    assert 'shanzhi_cogovern_demands{state="submitted"} 1.0' in text
    assert 'shanzhi_cogovern_demands{state="declined"} 0.0' in text
