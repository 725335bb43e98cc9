"""Scope: a community's staff see their community only (selectors, console pages, API); a town its communities; the
centre all; a department's staff and a user without a role nothing."""

from __future__ import annotations

import pytest

from shanzhi.cogovern import selectors, services

from .conftest import NOW, RESIDENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_demands(desk, co):
    a = services.demand_post(
        phone=RESIDENT,
        community=desk.district.community_a,
        title="和平社区需要助餐点",
        content="老人吃饭不方便。",
        now=NOW,
    )
    b = services.demand_post(
        phone=RESIDENT,
        community=desk.district.community_b,
        title="清泉社区需要理发",
        content="行动不便老人理发难。",
        now=NOW,
    )
    a = services.demand_match(actor=co.staff_a, demand=a, resource=co.resource_a, now=NOW)
    project_a = services.project_create(actor=co.staff_a, demand=a, title="和平助餐点", now=NOW)
    return a, b, project_a


def test_community_staff_see_their_community_only(co, two_demands):
    a, b, _project_a = two_demands
    assert list(selectors.demands_for(co.staff_a)) == [a]
    assert list(selectors.demands_for(co.staff_b)) == [b]
    assert list(selectors.resources_for(co.staff_b)) == [co.resource_b]
    assert list(selectors.projects_for(co.staff_b)) == []
    assert list(selectors.teams_for(co.staff_b)) == []
    assert list(selectors.volunteers_for(co.staff_b)) == []
    assert list(selectors.activities_for(co.staff_b)) == []
    assert list(selectors.hours_by_team_and_month(co.staff_b)) == []
    assert [c.name for c in selectors.communities_for(co.staff_b)] == ["清泉社区居委会"]
    with pytest.raises(Exception) as error:
        selectors.demand_get(co.staff_b, a.pk)
    assert getattr(error.value, "code", "") == "not_found"


def test_town_centre_grid_worker_and_department(desk, co, two_demands):
    a, b, _project = two_demands
    assert list(selectors.demands_for(desk.town_a_handler)) == [a]
    assert set(selectors.demands_for(desk.dispatcher)) == {a, b}
    assert list(selectors.demands_for(desk.grid_worker_a)) == [a]  # the grid's community
    assert list(selectors.demands_for(desk.urban_handler)) == []  # a department
    assert selectors.figures_for(desk.urban_handler, start=NOW, end=NOW) == []
    assert selectors.centre_overview(desk.urban_handler) == []


def test_console_pages_are_404_or_403_outside_the_scope(login, desk, co, two_demands):
    a, _b, project_a = two_demands
    outsider = login(co.staff_b)
    assert outsider.get(f"/console/cogovern/demands/{a.pk}/").status_code == 404
    assert outsider.get(f"/console/cogovern/projects/{project_a.pk}/").status_code == 404
    assert outsider.get(f"/console/cogovern/teams/{co.team_a.pk}/").status_code == 404
    assert outsider.get(f"/console/cogovern/activities/{co.activity_a.pk}/").status_code == 404
    assert outsider.get(f"/console/cogovern/activities/{co.activity_a.pk}/qr.svg").status_code == 404
    assert outsider.get(f"/console/cogovern/centres/{desk.district.community_a.pk}/").status_code == 404
    response = outsider.post(f"/console/cogovern/demands/{a.pk}/match/", {"resource": co.resource_b.pk})
    assert response.status_code == 404
    listing = outsider.get("/console/cogovern/demands/").content.decode()
    assert "清泉社区需要理发" in listing and "和平社区需要助餐点" not in listing
    assert login(desk.urban_handler).get("/console/cogovern/").status_code == 403
    assert login(desk.urban_handler).get("/console/cogovern/demands/").status_code == 403


def test_api_outside_the_scope(login, desk, co, two_demands):
    a, b, project_a = two_demands
    outsider = login(co.staff_b)
    body = outsider.get("/api/v1/cogovern/demands").json()
    assert [d["id"] for d in body] == [b.pk] and body[0]["resident_phone"] == "138****5678"
    assert outsider.get(f"/api/v1/cogovern/demands/{a.pk}").status_code == 404
    assert outsider.get(f"/api/v1/cogovern/projects/{project_a.pk}").status_code == 404
    assert outsider.get("/api/v1/cogovern/projects").json() == []
    assert outsider.get("/api/v1/cogovern/volunteers").json() == []
    response = outsider.post(
        f"/api/v1/cogovern/demands/{a.pk}/match", {"resource_id": co.resource_b.pk}, content_type="application/json"
    )
    assert response.status_code == 404
    assert login(desk.urban_handler).get("/api/v1/cogovern/demands").status_code == 403
