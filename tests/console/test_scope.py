"""Data scope (DESIGN §7): a handler of one town sees nothing of another town's appeal — anywhere."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_a_appeal(desk, intake):
    """A property complaint in town A, dispatched to 凤凰岭街道 by the territorial rule."""
    appeal = intake(category=desk.property_service, content="物业不作为，垃圾堆积", citizen_phone="13911112222")
    assert appeal.lead_unit == desk.district.town_a
    return appeal


def test_other_towns_handler_gets_404_on_the_detail(desk, town_a_appeal, login):
    other = login(desk.town_b_handler)
    response = other.get(reverse("console:appeal", args=[town_a_appeal.pk]))
    assert response.status_code == 404
    assert town_a_appeal.tracking_no not in response.content.decode()
    own = login(desk.town_a_handler)
    assert own.get(reverse("console:appeal", args=[town_a_appeal.pk])).status_code == 200


def test_other_towns_handler_cannot_act_or_reveal(desk, town_a_appeal, login):
    other = login(desk.town_b_handler)
    assert other.post(reverse("console:action", args=[town_a_appeal.pk, "sign"])).status_code == 404
    assert other.post(reverse("console:reveal", args=[town_a_appeal.pk]), {"reason": "核实"}).status_code == 404
    town_a_appeal.refresh_from_db()
    assert town_a_appeal.state == "dispatched"


def test_not_in_the_other_towns_lists(desk, town_a_appeal, login):
    other = login(desk.town_b_handler)
    for bucket in ("todo", "pending_sign", "due_today", "overdue"):
        html = other.get(reverse("console:workbench"), {"bucket": bucket}).content.decode()
        assert town_a_appeal.tracking_no not in html


def test_not_in_phone_search_or_tracking_search(desk, town_a_appeal, login):
    other = login(desk.town_b_handler)
    html = other.get(reverse("console:search"), {"q": "13911112222"}).content.decode()
    assert town_a_appeal.tracking_no not in html
    assert "没有找到" in html
    response = other.get(reverse("console:search"), {"q": town_a_appeal.tracking_no}, follow=True)
    assert response.redirect_chain == []
    assert "未找到编号" in response.content.decode()


def test_phone_search_within_scope_lists_masked(desk, town_a_appeal, login):
    own = login(desk.town_a_handler)
    html = own.get(reverse("console:search"), {"q": "139 1111 2222"}).content.decode()
    assert town_a_appeal.tracking_no in html
    assert "139****2222" in html and "13911112222" not in html


def test_tracking_number_search_opens_the_appeal(desk, town_a_appeal, login):
    response = login(desk.operator).get(reverse("console:search"), {"q": town_a_appeal.tracking_no.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("console:appeal", args=[town_a_appeal.pk])


def test_department_sees_only_what_is_assigned_to_it(desk, town_a_appeal, intake, login):
    light = intake()  # → 城管局
    urban = login(desk.urban_handler)
    assert urban.get(reverse("console:appeal", args=[light.pk])).status_code == 200
    assert urban.get(reverse("console:appeal", args=[town_a_appeal.pk])).status_code == 404


def test_caller_history_only_lists_appeals_in_scope(desk, town_a_appeal, district, make_user, login):
    # an operator of a town-level desk (not the centre) sees only that town's callers
    town_b_operator = make_user(district.town_b, "operator", username="op-b")
    html = login(town_b_operator).post(reverse("console:caller_history"), {"citizen_phone": "13911112222"}).content
    assert town_a_appeal.tracking_no not in html.decode()
    centre_html = login(desk.operator).post(reverse("console:caller_history"), {"citizen_phone": "13911112222"})
    assert town_a_appeal.tracking_no in centre_html.content.decode()
    assert "139****2222" in centre_html.content.decode()


def test_phone_numbers_never_travel_in_a_query_string(desk, town_a_appeal, login):
    """The top bar's search, the caller history and the knowledge panel post what the operator typed: a phone
    number (or the call's text) in a URL would end up in access logs, proxies and the browser's history."""
    client = login(desk.operator)
    page = client.get(reverse("console:intake")).content.decode()
    assert re.search(r'<form class="sz-search[^>]*method="post"', page)
    assert 'hx-post="/console/intake/history/"' in page and 'hx-get="/console/intake/history/' not in page
    assert "?kb=1" not in page
    assert client.get(reverse("console:caller_history"), {"citizen_phone": "13911112222"}).status_code == 405
    html = client.post(reverse("console:search"), {"q": "139 1111 2222"}).content.decode()
    assert town_a_appeal.tracking_no in html and "13911112222" not in html


def test_another_towns_dispatcher_can_neither_dispatch_nor_supervise_it(desk, town_a_appeal, login, make_user):
    import datetime as dt

    import time_machine

    dispatcher_b = login(make_user(desk.district.town_b, "dispatcher", username="db"))
    url = reverse("console:dispatch_suggestion", args=[town_a_appeal.pk])
    assert dispatcher_b.post(url, {"category": desk.road_light.pk}).status_code == 404
    assert town_a_appeal.assignments.count() == 1
    with time_machine.travel(town_a_appeal.due_at + dt.timedelta(minutes=5), tick=False):
        html = dispatcher_b.get(reverse("console:supervision")).content.decode()
        centre = login(desk.dispatcher).get(reverse("console:supervision")).content.decode()
    assert town_a_appeal.tracking_no not in html
    assert town_a_appeal.tracking_no in centre


def test_an_appeal_cannot_be_merged_into_one_outside_the_scope(desk, town_a_appeal, intake, login, make_user):
    from shanzhi.appeals.models import Appeal

    own = intake(category=desk.property_service, content="清泉社区物业不作为", area=desk.district.grid_b)
    dispatcher_b = login(make_user(desk.district.town_b, "dispatcher", username="db"))
    url = reverse("console:action", args=[own.pk, "merge"])
    hidden = dispatcher_b.post(url, {"master": town_a_appeal.tracking_no, "reason": "重复来电"})
    missing = dispatcher_b.post(url, {"master": "HB20990101-999999", "reason": "重复来电"})
    assert hidden.status_code == missing.status_code == 422

    # The same refusal as for a number that does not exist: no hint that the other town's appeal is there.
    def refusal(response) -> list[str]:  # type: ignore[no-untyped-def]
        html = response.content.decode()
        return [m.strip() for m in re.findall(r'class="[^"]*(?:alert|invalid-feedback)[^"]*"[^>]*>([^<]+)<', html)]

    assert refusal(hidden) and refusal(hidden) == refusal(missing), refusal(hidden)
    assert Appeal.objects.get(pk=own.pk).state != "merged" and Appeal.objects.get(pk=own.pk).master_id is None
