"""The API: the three lists through /api/v1/cogovern/, coded refusals, masked volunteers, figures."""

from __future__ import annotations

import pytest

from shanzhi.cogovern import services
from shanzhi.core import clock

from .conftest import RESIDENT

pytestmark = pytest.mark.django_db


def test_match_plan_run_finish_through_the_api(login, desk, co):
    demand = services.demand_post(
        phone=RESIDENT,
        community=desk.district.community_a,
        title="小区需要充电桩",
        content="电动车没处充电。",
        now=clock.now(),
    )
    client = login(co.staff_a)
    json = "application/json"
    r = client.post(f"/api/v1/cogovern/demands/{demand.pk}/match", {"resource_id": co.resource_a.pk}, content_type=json)
    assert r.status_code == 200 and r.json()["state"] == "matched"
    r = client.post(f"/api/v1/cogovern/demands/{demand.pk}/match", {"resource_id": co.resource_a.pk}, content_type=json)
    assert r.status_code == 409 and r.json()["code"] == "demand_transition_not_allowed"
    r = client.post(
        f"/api/v1/cogovern/demands/{demand.pk}/project",
        {"title": "充电桩安装", "budget": 5000.5, "beneficiaries": 120, "milestones": ["选址", "安装"]},
        content_type=json,
    )
    assert r.status_code == 201
    project_id = r.json()["id"]
    assert client.post(f"/api/v1/cogovern/projects/{project_id}/start").json()["state"] == "running"
    r = client.post(f"/api/v1/cogovern/projects/{project_id}/finish", {"result": "安装 4 个"}, content_type=json)
    assert r.json()["state"] == "finished"
    assert client.get(f"/api/v1/cogovern/demands/{demand.pk}").json()["state"] == "done"
    today = clock.local_date().isoformat()
    figures = client.get(f"/api/v1/cogovern/figures?start={today}&end={today}").json()
    assert figures == [
        {
            "community_id": desk.district.community_a.pk,
            "community": "和平社区居委会",
            "demands": 1,
            "matched": 1,
            "matched_rate": 1.0,
            "projects_finished": 1,
            "volunteer_hours": "0",
        }
    ]


def test_resources_and_masked_volunteers(login, desk, co):
    client = login(co.staff_a)
    r = client.post(
        "/api/v1/cogovern/resources",
        {"community_id": desk.district.community_a.pk, "kind": "venue", "name": "和平广场"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["name"] == "和平广场"
    r = client.post(
        "/api/v1/cogovern/resources",
        {"community_id": desk.district.community_b.pk, "kind": "venue", "name": "别人的广场"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "community_required"
    (volunteer,) = client.get("/api/v1/cogovern/volunteers").json()
    assert volunteer["name"] == "王*明" and volunteer["phone"] == "138****5678"
